// Plays a stream from the edge with plain browser WebRTC over the OvenMediaEngine signalling protocol.
// Its state is mirrored in window.p2pEdgePlayer so that tests (and curious people) can read it.

const params = new URLSearchParams(location.search);
const streamName = params.get('stream') || 'app/stream';
const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
const signallingUrl = params.get('ws') || `${wsScheme}//${location.host}/${streamName}`;
const RETRY_MS = 3000;

const $ = (id) => document.getElementById(id);
const video = $('video');
const state = window.p2pEdgePlayer = {
  state: 'idle', id: null, peerId: null, framesDecoded: 0, fps: 0, width: 0, height: 0,
  kbps: 0, error: null, log: [],
};

$('stream').value = streamName;
$('unmute').onclick = () => { video.muted = false; $('unmute').remove(); };

function log(text) {
  const line = `${new Date().toISOString().slice(11, 23)} ${text}`;
  state.log.push(line);
  if (state.log.length > 200) state.log.shift();
  const li = document.createElement('li');
  li.textContent = line;
  $('log').prepend(li);
}

function setState(next, error) {
  state.state = next;
  if (error) {
    state.error = error;
    $('s-error').textContent = error;
  }
  $('s-state').textContent = next;
  $('s-state').className = next;
  log(error ? `${next}: ${error}` : next);
}

let socket = null;
let pc = null;
let stopped = false;

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function closePeerConnection() {
  if (pc) {
    pc.close();
    pc = null;
  }
  previous = null;
}

function connect() {
  setState('connecting');
  socket = new WebSocket(signallingUrl);
  socket.onopen = () => {
    setState('requesting offer');
    send({ command: 'request_offer' });
  };
  socket.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      log(`unparsable message from edge: ${e}`);
      return;
    }
    handle(message).catch((e) => setState('error', `${e.name || 'Error'}: ${e.message || e}`));
  };
  socket.onclose = (event) => {
    closePeerConnection();
    socket = null;
    if (state.state !== 'error') setState('disconnected', `socket closed (${event.code} ${event.reason})`);
    if (!stopped && state.errorCode !== 404) setTimeout(connect, RETRY_MS);
  };
}

async function handle(message) {
  if (message.error !== undefined) {
    state.errorCode = message.code;
    setState('error', `${message.code} ${message.error}`);
    return;
  }
  switch (message.command) {
    case 'offer':
      await answerOffer(message);
      break;
    case 'ping':
      send({ command: 'pong' });
      break;
    case 'pong':
    case 'notification':
      break;
    default:
      log(`ignoring command ${message.command}`);
  }
}

async function answerOffer(offer) {
  closePeerConnection();
  state.id = offer.id;
  state.peerId = offer.peer_id;
  $('s-id').textContent = offer.id;
  $('s-source').textContent = offer.peer_id === 0 ? 'edge' : `peer ${offer.peer_id}`;
  pc = new RTCPeerConnection({ iceServers: offer.iceServers || [] });
  const connection = pc;
  connection.ontrack = (event) => {
    if (event.track.kind === 'video' || !video.srcObject) {
      video.srcObject = event.streams[0] || new MediaStream([event.track]);
    }
  };
  connection.onicecandidate = (event) => {
    if (event.candidate && event.candidate.candidate) {
      send({ command: 'candidate', id: offer.id, peer_id: offer.peer_id, candidates: [event.candidate.toJSON()] });
    }
  };
  connection.onconnectionstatechange = () => {
    log(`media ${connection.connectionState}`);
    if (connection.connectionState === 'failed') setState('error', 'media connection failed');
  };
  await connection.setRemoteDescription(offer.sdp);
  for (const candidate of offer.candidates || []) {
    await connection.addIceCandidate(candidate);
  }
  const answer = await connection.createAnswer();
  await connection.setLocalDescription(answer);
  send({ command: 'answer', id: offer.id, peer_id: offer.peer_id, sdp: { type: answer.type, sdp: answer.sdp } });
  setState('connecting media');
}

let previous = null;
async function pollStats() {
  if (!pc) return;
  const report = await pc.getStats();
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    state.framesDecoded = s.framesDecoded || 0;
    state.width = s.frameWidth || 0;
    state.height = s.frameHeight || 0;
    if (previous) {
      const seconds = (s.timestamp - previous.timestamp) / 1000;
      state.fps = Math.round((state.framesDecoded - previous.framesDecoded) / seconds);
      state.kbps = Math.round((8 * (s.bytesReceived - previous.bytesReceived)) / seconds / 1000);
    }
    previous = { timestamp: s.timestamp, framesDecoded: state.framesDecoded, bytesReceived: s.bytesReceived };
  });
  if (state.framesDecoded > 0 && state.state === 'connecting media') setState('playing');
  $('s-frames').textContent = state.framesDecoded;
  $('s-fps').textContent = `${state.fps} fps`;
  $('s-size').textContent = state.width ? `${state.width}x${state.height}` : '-';
  $('s-bitrate').textContent = `${state.kbps} kbit/s`;
}
setInterval(() => pollStats().catch((e) => log(`stats: ${e}`)), 500);

window.addEventListener('pagehide', () => {
  stopped = true;
  if (state.id !== null) send({ command: 'stop', id: state.id });
});

connect();
