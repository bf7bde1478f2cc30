// Publishes a camera, a screen or a generated canvas to this edge with WHIP (RFC 9725): POST the offer to
// /{app}/{stream}, apply the answer, DELETE the Location to stop. ?stream=..&source=..&token=..&simulcast=1&autostart=1
'use strict';

const $ = (id) => document.getElementById(id);
const state = window.p2pEdgePublisher = { state: 'idle', location: null, framesSent: 0, error: null };
let pc = null;
let media = null;
let canvasTimer = null;

function show() {
  $('s-state').textContent = state.state;
  $('s-location').textContent = state.location || '-';
  $('s-error').textContent = state.error || '-';
  // The name comes from the page's link: shown as text in an element made here, never parsed as HTML.
  const stream = $('stream').value;
  const watch = $('s-watch');
  if (state.state === 'publishing') {
    const link = document.createElement('a');
    link.href = `/?stream=${encodeURIComponent(stream)}`;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = `/?stream=${stream}`;
    watch.replaceChildren(link);
  } else {
    watch.textContent = '-';
  }
  $('start').disabled = state.state === 'publishing' || state.state === 'connecting';
  $('stop').disabled = !(state.state === 'publishing' || state.state === 'connecting');
}

// A moving pattern with a frame counter and the wall clock, so a viewer can see motion and delay.
function canvasSource(scale) {
  const canvas = document.createElement('canvas');
  canvas.width = 640 * scale;
  canvas.height = 360 * scale;
  const g = canvas.getContext('2d');
  let frame = 0;
  canvasTimer = setInterval(() => {
    const x = (frame * 4) % 640;
    g.fillStyle = '#203040';
    g.setTransform(scale, 0, 0, scale, 0, 0);
    g.fillRect(0, 0, 640, 360);
    g.fillStyle = '#e0a030';
    g.fillRect(x, 120, 80, 80);
    g.fillStyle = '#ffffff';
    g.font = '32px monospace';
    g.fillText(`frame ${frame}`, 20, 50);
    g.fillText(new Date().toISOString().substring(11, 23), 20, 320);
    frame++;
  }, 33);
  return canvas.captureStream(30);
}

async function capture(source, simulcast) {
  const scale = simulcast ? 1.5 : 1;
  if (source === 'camera') return navigator.mediaDevices.getUserMedia({ video: { width: 640 * scale, height: 360 * scale }, audio: true });
  if (source === 'screen') return navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  return canvasSource(scale);
}

// Chrome sends three layers only from a 960x540 source up (two from 640x360): the source is captured at that
// size and every layer scaled down from it, so the top one is 640x360 as without simulcast.
const SIMULCAST = [
  { rid: 'q', scaleResolutionDownBy: 6, maxBitrate: 67000 },
  { rid: 'h', scaleResolutionDownBy: 3, maxBitrate: 200000 },
  { rid: 'f', scaleResolutionDownBy: 1.5, maxBitrate: 600000 },
];

function waitForIceGathering(connection) {
  // The edge is ICE-lite and learns our address from our checks; gathering first still gives it candidates
  // in the offer, which costs at most a second.
  return new Promise((resolve) => {
    if (connection.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 1000);
    connection.addEventListener('icegatheringstatechange', () => {
      if (connection.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });
}

async function start() {
  const stream = $('stream').value.trim();
  const token = $('token').value.trim();
  state.state = 'connecting';
  state.error = null;
  show();
  try {
    media = await capture($('source').value, $('simulcast').checked);
    $('preview').srcObject = media;
    pc = new RTCPeerConnection();
    for (const track of media.getTracks()) {
      const init = { direction: 'sendonly', streams: [media] };
      // Simulcast (RFC 8853): three encodings told apart by RID, lowest first; the edge gives each viewer one.
      if (track.kind === 'video' && $('simulcast').checked) init.sendEncodings = SIMULCAST;
      pc.addTransceiver(track, init);
    }
    pc.addEventListener('connectionstatechange', () => {
      if (pc && pc.connectionState === 'connected') { state.state = 'publishing'; show(); }
      if (pc && (pc.connectionState === 'failed' || pc.connectionState === 'closed')) { state.state = pc.connectionState; show(); }
    });
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc);
    const headers = { 'Content-Type': 'application/sdp' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`/${stream}`, { method: 'POST', headers, body: pc.localDescription.sdp });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`${response.status}: ${body.trim()}`);
    state.location = response.headers.get('Location');
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    show();
  } catch (e) {
    state.error = String(e.message || e);
    await stop(false);
    state.state = 'failed';
    show();
  }
}

async function stop(tellEdge = true) {
  if (tellEdge && state.location) {
    const headers = {};
    const token = $('token').value.trim();
    if (token) headers.Authorization = `Bearer ${token}`;
    try { await fetch(state.location, { method: 'DELETE', headers }); } catch (e) { /* the edge ends it on silence */ }
  }
  state.location = null;
  if (pc) { pc.close(); pc = null; }
  if (media) { media.getTracks().forEach((t) => t.stop()); media = null; }
  if (canvasTimer) { clearInterval(canvasTimer); canvasTimer = null; }
  state.state = 'stopped';
  show();
}

setInterval(async () => {
  if (!pc) return;
  const stats = await pc.getStats();
  const layers = [];
  stats.forEach((r) => {
    if (r.type === 'outbound-rtp' && r.kind === 'video') layers.push(r);
  });
  // One outbound-rtp per encoding: frames of the top one, every layer's size.
  layers.sort((a, b) => (a.frameWidth || 0) - (b.frameWidth || 0));
  state.layers = layers.map((r) => ({ rid: r.rid || null, width: r.frameWidth || 0, height: r.frameHeight || 0, framesSent: r.framesSent || 0 }));
  if (layers.length) {
    const top = layers[layers.length - 1];
    state.framesSent = top.framesSent || 0;
    $('s-sent').textContent = `${state.framesSent} frames, ` + layers.map((r) => `${r.frameWidth || '?'}x${r.frameHeight || '?'}`).join(' + ');
  }
}, 1000);

$('publish').addEventListener('submit', (e) => { e.preventDefault(); start(); });
$('stop').addEventListener('click', () => stop());
window.addEventListener('pagehide', () => stop());

const params = new URLSearchParams(location.search);
if (params.get('stream')) $('stream').value = params.get('stream');
if (params.get('source')) $('source').value = params.get('source');
if (params.get('token')) $('token').value = params.get('token');
if (params.get('simulcast') === '1') $('simulcast').checked = true;
show();
if (params.get('autostart') === '1') start();
