// Plays a stream with WHEP: POST a receive-only offer to /whep/{app}/{stream}, apply the answer, DELETE the
// Location to stop. No P2P: the edge serves WHEP players itself. ?stream=app/stream&autostart=1
'use strict';

const $ = (id) => document.getElementById(id);
const state = window.p2pEdgeWhep = { state: 'idle', location: null, framesDecoded: 0, error: null };
let pc = null;

function show() {
  $('s-state').textContent = state.state;
  $('s-location').textContent = state.location || '-';
  $('s-frames').textContent = state.framesDecoded;
  $('s-error').textContent = state.error || '-';
  $('play').disabled = state.state === 'playing' || state.state === 'connecting';
  $('stop').disabled = !(state.state === 'playing' || state.state === 'connecting');
}

async function play() {
  const stream = $('stream').value.trim();
  state.state = 'connecting';
  state.error = null;
  state.framesDecoded = 0;
  show();
  try {
    pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addEventListener('track', (e) => { $('video').srcObject = e.streams[0] || new MediaStream([e.track]); });
    pc.addEventListener('connectionstatechange', () => {
      if (!pc) return;
      if (pc.connectionState === 'connected') state.state = 'playing';
      if (pc.connectionState === 'failed' || pc.connectionState === 'disconnected') state.state = pc.connectionState;
      show();
    });
    await pc.setLocalDescription(await pc.createOffer());
    // A player token (admission) in the page's URL goes to the edge as WHEP's bearer token.
    const headers = { 'Content-Type': 'application/sdp' };
    const token = new URLSearchParams(location.search).get('token');
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`/whep/${stream}`, { method: 'POST', headers, body: pc.localDescription.sdp });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`${response.status}: ${body.trim()}`);
    state.location = response.headers.get('Location');
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
  } catch (e) {
    state.error = String(e.message || e);
    await stop();
    state.state = 'failed';
  }
  show();
}

async function stop() {
  if (state.location) {
    try { await fetch(state.location, { method: 'DELETE' }); } catch (e) { /* the edge times the session out */ }
  }
  state.location = null;
  if (pc) { pc.close(); pc = null; }
  state.state = 'stopped';
  show();
}

setInterval(async () => {
  if (!pc) return;
  (await pc.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') state.framesDecoded = r.framesDecoded || 0;
  });
  show();
}, 500);

$('pick').addEventListener('submit', (e) => { e.preventDefault(); play(); });
$('stop').addEventListener('click', () => stop());
window.addEventListener('pagehide', () => stop());
const params = new URLSearchParams(location.search);
if (params.get('stream')) $('stream').value = params.get('stream');
show();
if (params.get('autostart') === '1') play();
