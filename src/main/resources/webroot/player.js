// Plays a stream with plain browser WebRTC over the OvenMediaEngine signalling protocol, from the edge or,
// with P2P Delivery, from another player (its Host Peer); as a Host Peer it relays what it receives to its
// clients with addTrack. Its state is mirrored in window.p2pEdgePlayer for tests (and curious people).

const params = new URLSearchParams(location.search);
const streamName = params.get('stream') || 'app/stream';
const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
// A player token (admission) in the page's URL goes on to the signalling URL, where the edge reads it.
const playerToken = params.get('token');
const signallingUrl = params.get('ws')
  || `${wsScheme}//${location.host}/${streamName}${playerToken ? `?token=${encodeURIComponent(playerToken)}` : ''}`;
const RETRY_MS = 3000;
// After a stop with offer_follows, the edge places us again unasked; we ask ourselves only if no offer came by then
// (longer than a host's time to offer, 3 s by default, after which the edge serves us itself).
const OFFER_FOLLOWS_MS = 10000;
const REPORT_MS = 5000;
// A Host Peer reports its relays' upload this often: the edge lowers or raises the clients it may take from it.
const UPLOAD_REPORT_MS = 2000;
// A new relay's encoder starts low and says "bandwidth" while it ramps up: no evidence of a limited upload yet.
const RELAY_RAMP_MS = 5000;

const $ = (id) => document.getElementById(id);
let video = $('video'); // the element on screen (see presentBehind)
const state = window.p2pEdgePlayer = {
  state: 'idle', id: null, peerId: null, role: '-', clients: [], framesDecoded: 0, fps: 0, width: 0, height: 0,
  kbps: 0, error: null, log: [], offers: 0,
  // Relays tried as a client, and the state each reached ('connected', 'failed', or still '-' when it ended first).
  relaysTried: [],
  // performance.now() of the last answer sent and of the first frame painted after it (join time).
  answeredAt: null, firstFrameAt: null,
  // The last upload reports sent as a host, with their page time (tests print them when a capacity check fails).
  uploads: [],
  // The last failovers (our host left), each stage's epoch milliseconds: stop, request, offer, answer, ice,
  // connected (DTLS), packet (the first video packet), decoded (the first frame). Benches print where the time goes.
  failovers: [],
};
let failover = null; // the failover under way (an entry of state.failovers), until it decodes

function epochNow() {
  return Math.round(performance.timeOrigin + performance.now());
}

/** Marks a stage of the failover under way (the first time only). */
function failoverStage(stage) {
  if (failover && failover[stage] === undefined) failover[stage] = epochNow();
}

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
let pc = null; // the current media connection (from the edge, or from a host peer)
// Make-before-break: an older connection the video keeps showing until the current one has decoded a frame of
// its own (a client moved off a live host keeps playing meanwhile; one whose host left holds its last frame).
let shown = null;
let stopped = false;
let iceServers = [];
// The edge's STUN servers (its media port and a second one): our P2P legs learn their public address from them,
// and a probe against both tells the edge how our NAT maps UDP (the same public port towards both, or not).
const stunServers = fetch('/p2p/stun').then((r) => (r.ok ? r.json() : { iceServers: [] }))
  .then((body) => body.iceServers || []).catch(() => []);
let mapped = null; // the probe's result, sent with every request_offer
const relays = new Map(); // client id -> RTCPeerConnection, while we are a Host Peer
let haveMedia = null;
let mediaArrived = null;
// Chrome starts its audio output path (the audio service, the device) for the first media element or audio context
// of a page, and that held up our first answer by 0.3 s on an idle machine, 1-2 s on a busy one: an audio context
// opened at load starts it while signalling runs. Closed once we play (it stays suspended, and silent, without a
// user gesture).
let warmAudio = null;
try {
  warmAudio = new AudioContext();
} catch (e) {
  // no Web Audio: nothing to warm
}
let media = null; // the stream the edge sends us, once it arrived (what a Host Peer relays)
// A relay connection made ahead (tracks added, offer set, candidates gathered), so that a client placed on us gets
// its offer at once: on a busy device, making one took 0.8-2 s, the longest step of a client's join. It is made
// a while after our first frame or our last relay started, not to compete with them, and renewed now and then so
// that its candidates stay fresh. It sends nothing until a client answers.
let spare = null; // { relay, ready: Promise }
// The stream's video bitrate as the edge announces it (kbit/s; 0: not known): our relays send no more. Uncapped,
// Chrome's relay encoder ramps up to what the link allows (1.7 Mbit/s measured for a 0.6 Mbit/s source), spending
// the host's upload, the scarcest link in P2P, on nothing the source had.
let relayKbps = 0;
let spareTimer = null;
const SPARE_DELAY_MS = 1500;
const SPARE_RENEW_MS = 60000;

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

/** The current connection is replaced: if it showed a picture, the video keeps it until the next one has its own. */
function retirePeerConnection() {
  if (pc && state.framesDecoded > 0) {
    if (shown) shown.close();
    shown = pc;
  } else if (pc) {
    pc.close();
  }
  pc = null;
  resetMediaState();
}

function closePeerConnection() {
  retirePeerConnection();
  if (shown) {
    shown.close();
    shown = null;
  }
}

function resetMediaState() {
  previous = null;
  path = null;
  state.framesDecoded = 0;
  state.fps = 0;
  state.kbps = 0;
  haveMedia = new Promise((resolve) => { mediaArrived = resolve; });
  media = null;
  discardSpare();
}

function discardSpare() {
  clearTimeout(spareTimer);
  if (spare) spare.relay.close();
  spare = null;
}

/** Makes a spare relay connection soon, if we are edge-served and have media (renewing an older one). */
function prepareSpareSoon() {
  clearTimeout(spareTimer);
  spareTimer = setTimeout(() => {
    if (spare) spare.relay.close();
    spare = null;
    if (!media || state.peerId !== 0 || stopped) return;
    const relay = new RTCPeerConnection({ iceServers });
    media.getTracks().forEach((track) => relay.addTrack(track, media));
    const entry = { relay, ready: relay.createOffer().then((offer) => relay.setLocalDescription(offer)).then(() => capRelay(relay)) };
    entry.ready.catch((e) => {
      log(`spare relay: ${e}`);
      if (spare === entry) discardSpare();
    });
    spare = entry;
    spareTimer = setTimeout(prepareSpareSoon, SPARE_RENEW_MS);
  }, SPARE_DELAY_MS);
}

/** Caps the video a relay sends at the stream's bitrate (resolution untouched); a refusal is logged, not fatal. */
async function capRelay(relay) {
  if (relayKbps <= 0) return;
  for (const sender of relay.getSenders()) {
    if (!sender.track || sender.track.kind !== 'video') continue;
    const parameters = sender.getParameters();
    if (!parameters.encodings || parameters.encodings.length === 0) parameters.encodings = [{}];
    parameters.encodings.forEach((encoding) => { encoding.maxBitrate = relayKbps * 1000; });
    await sender.setParameters(parameters).catch((e) => log(`relay bitrate cap refused: ${e}`));
  }
}

/** The spare relay connection, now ours to use (no longer renewed or discarded), or null. */
function takeSpare() {
  const taken = spare;
  spare = null;
  clearTimeout(spareTimer);
  return taken;
}

function showPeers() {
  state.clients = [...relays.keys()];
  if (state.clients.length > 0) state.role = 'host';
  $('s-role').textContent = state.role;
  $('s-source').textContent = state.peerId === null ? '-' : state.peerId === 0 ? 'edge' : `host peer ${state.peerId}`;
  $('s-clients').textContent = state.clients.length ? state.clients.map((c) => `peer ${c}`).join(', ') : '-';
}

function closeRelay(clientId) {
  const relay = relays.get(clientId);
  if (relay) {
    relay.close();
    relays.delete(clientId);
    log(`relay to ${clientId} closed`);
  }
  showPeers();
}

function closeAllRelays() {
  [...relays.keys()].forEach(closeRelay);
}

/** Our public addresses as the edge's STUN ports see one socket ("ip:port"), gathered within a second. */
async function probeNat() {
  const servers = await stunServers;
  if (servers.length === 0 || typeof RTCPeerConnection === 'undefined') return [];
  const probe = new RTCPeerConnection({ iceServers: servers });
  const found = new Set();
  // Done when every STUN server answered (not waiting for the rest of gathering), or at the end of gathering.
  const urls = servers.flatMap((server) => [].concat(server.urls));
  const answered = new Set();
  try {
    probe.createDataChannel('probe');
    const done = new Promise((resolve) => {
      probe.onicecandidate = (event) => {
        const c = event.candidate;
        if (!c) {
          resolve();
        } else if (c.type === 'srflx' && c.address) {
          found.add(c.address.includes(':') ? `[${c.address}]:${c.port}` : `${c.address}:${c.port}`);
          if (event.url) answered.add(event.url);
          if (answered.size >= urls.length) resolve();
        }
      };
      setTimeout(resolve, 1000);
    });
    await probe.setLocalDescription(await probe.createOffer());
    await done;
  } finally {
    probe.close();
  }
  return [...found].slice(0, 4);
}

async function requestOffer() {
  setState('requesting offer');
  if (mapped === null) {
    mapped = await probeNat().catch(() => []);
    log(`NAT probe: ${mapped.join(', ') || 'no public address learnt'}`);
  }
  // reports: we tell the edge how our relays go (stats), so it needs no trial to let us host. offer_after_stop: when
  // our host leaves, the edge places us again at once and sends the offer unasked (a failover saves a round trip).
  const request = { command: 'request_offer', reports: true, offer_after_stop: true };
  if (mapped.length > 0) request.mapped = mapped;
  send(request);
  failoverStage('request');
}

function connect() {
  setState('connecting');
  socket = new WebSocket(signallingUrl);
  socket.onopen = () => requestOffer();
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
    closeAllRelays();
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
    case 'candidate':
      if (pc && message.peer_id === state.peerId) {
        for (const candidate of message.candidates || []) await pc.addIceCandidate(candidate);
      }
      break;
    case 'request_offer_p2p':
      await offerToClient(message.peer_id);
      break;
    case 'answer_p2p':
      if (relays.has(message.peer_id)) await relays.get(message.peer_id).setRemoteDescription(message.sdp);
      break;
    case 'candidate_p2p':
      if (relays.has(message.peer_id)) {
        for (const candidate of message.candidates || []) await relays.get(message.peer_id).addIceCandidate(candidate);
      }
      break;
    case 'stop':
      if (relays.has(message.peer_id)) {
        closeRelay(message.peer_id); // one of our clients left
      } else if (message.peer_id === state.peerId && state.peerId !== 0) {
        log(`host peer ${message.peer_id} left: asking again`);
        failover = { stop: epochNow() };
        state.failovers.push(failover);
        if (state.failovers.length > 20) state.failovers.shift();
        retirePeerConnection();
        state.peerId = null;
        showPeers();
        if (message.offer_follows === true) {
          awaitOffer();
        } else {
          requestOffer();
        }
      }
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

/** The edge said an offer follows: ask for one only if none came in time. */
function awaitOffer() {
  const offersBefore = state.offers;
  const waitingOn = socket;
  setTimeout(() => {
    if (socket === waitingOn && state.offers === offersBefore && state.peerId === null) {
      log('no offer followed the stop: asking again');
      requestOffer();
    }
  }, OFFER_FOLLOWS_MS);
}

async function answerOffer(offer) {
  log(`offer from ${offer.peer_id === 0 ? 'the edge' : `peer ${offer.peer_id}`}`);
  failoverStage('offer');
  retirePeerConnection();
  state.id = offer.id;
  state.peerId = offer.peer_id;
  state.offers += 1;
  // Relay legs (this one as a client, or ours as a host) use the servers the edge offers (TURN, if configured)
  // and its own STUN; the edge leg needs no STUN.
  const relayServers = (offer.iceServers || []).concat(await stunServers);
  if (offer.peer_id !== 0) {
    state.role = 'client';
    state.relaysTried.push({ peer: offer.peer_id, outcome: '-' });
    closeAllRelays(); // 1 depth: a client relays to nobody
    // Tell the edge we report our relay's state, so it waits for "connected" before counting it.
    send({ command: 'stats', id: offer.id, peer_id: 0 });
  } else {
    state.role = relays.size > 0 ? 'host' : 'edge';
    iceServers = relayServers;
  }
  $('s-id').textContent = offer.id;
  showPeers();
  pc = new RTCPeerConnection({ iceServers: offer.peer_id !== 0 ? relayServers : offer.iceServers || [] });
  const connection = pc;
  const arrived = mediaArrived;
  connection.ontrack = (event) => {
    const stream = event.streams[0] || new MediaStream([event.track]);
    if (failover && event.track.kind === 'video') timeFirstFrame(event.track, failover);
    if (event.track.kind === 'video' || !video.srcObject) showOnceDecoding(connection, stream);
    if (stream.getVideoTracks().length > 0 && stream.getAudioTracks().length > 0) {
      arrived(stream);
      if (connection === pc && offer.peer_id === 0) {
        media = stream;
        relayKbps = Number(offer.bitrate_kbps) > 0 ? Number(offer.bitrate_kbps) : 0;
        if (offer.host === true) prepareSpareSoon(); // the edge may ask us to relay
      }
    }
  };
  connection.onicecandidate = (event) => {
    if (event.candidate && event.candidate.candidate) {
      send({ command: 'candidate', id: offer.id, peer_id: offer.peer_id, candidates: [event.candidate.toJSON()] });
    }
  };
  connection.oniceconnectionstatechange = () => {
    if (connection === pc && connection.iceConnectionState === 'connected') failoverStage('ice');
  };
  connection.onconnectionstatechange = () => {
    const st = connection.connectionState;
    log(`media ${st}`);
    if (connection === pc && st === 'connected') failoverStage('connected');
    if (offer.peer_id !== 0 && (st === 'connected' || st === 'failed')) {
      const tried = state.relaysTried.find((r) => r.peer === offer.peer_id && r.outcome === '-');
      if (tried) tried.outcome = st;
    }
    if (offer.peer_id !== 0 && st === 'failed') send({ command: 'stats', id: offer.id, peer_id: offer.peer_id, relay: st });
    if (offer.peer_id !== 0 && st === 'connected') reportWhenShown(connection, offer);
    if (st === 'failed' && offer.peer_id === 0) setState('error', 'media connection failed');
  };
  await connection.setRemoteDescription(offer.sdp);
  // Queued together (the connection runs them in order): one wake-up of this page's thread, not one per candidate.
  const added = Promise.all((offer.candidates || []).map((candidate) => connection.addIceCandidate(candidate)));
  const answer = await connection.createAnswer();
  // The answer is final once created: sent before it is applied, the edge opens its side while the browser applies
  // it and gathers, so our first checks find it ready.
  send({ command: 'answer', id: offer.id, peer_id: offer.peer_id, sdp: { type: answer.type, sdp: answer.sdp } });
  failoverStage('answer');
  await Promise.all([added, connection.setLocalDescription(answer)]);
  state.answeredAt = performance.now();
  state.firstFrameAt = null;
  setState('connecting media');
}

/**
 * Shows {@code stream} of {@code connection}: at once when the video shows nothing older, else once the connection
 * has decoded a frame (checked every 50 ms, for 20 s at most), when the older connection is closed. A connection
 * replaced meanwhile is never shown.
 */
async function showOnceDecoding(connection, stream) {
  const giveUpAt = performance.now() + 20000;
  while (shown && connection === pc && performance.now() < giveUpAt && (await decodedBy(connection)) === 0) {
    await new Promise((resolve) => { setTimeout(resolve, 50); });
  }
  if (connection !== pc) return;
  if (shown) {
    // A video element takes 0.2-0.3 s to present a new stream: the stand-by element, behind the one on screen,
    // presents it first, and only then comes to the front, so the picture never stops.
    await presentBehind(stream);
    if (connection !== pc) return;
    shown.close();
    shown = null;
    log('switched to the new connection (its first frame is decoded)');
  }
  if (video.srcObject !== stream) {
    video.srcObject = stream;
    watchFirstFrame();
  }
}

/**
 * Tells the edge a relay is connected once its picture is on screen (decoding, and the older connection closed):
 * the edge then closes an edge connection it kept for us (we were moved while it played), which must not stop
 * before the relay shows its own picture.
 */
async function reportWhenShown(connection, offer) {
  const giveUpAt = performance.now() + 20000;
  while (connection === pc && performance.now() < giveUpAt) {
    if (shown === null && (await decodedBy(connection)) > 0) {
      send({ command: 'stats', id: offer.id, peer_id: offer.peer_id, relay: 'connected' });
      return;
    }
    await new Promise((resolve) => { setTimeout(resolve, 50); });
  }
}

/** Plays {@code stream} on the stand-by element until it presents a frame (1 s at most), then swaps the two. */
async function presentBehind(stream) {
  const next = $('video-standby');
  if (!next || !('requestVideoFrameCallback' in HTMLVideoElement.prototype)) return;
  next.muted = video.muted;
  next.srcObject = stream;
  await Promise.race([
    new Promise((resolve) => { next.requestVideoFrameCallback(() => resolve()); }),
    new Promise((resolve) => { setTimeout(resolve, 1000); }),
  ]);
  next.id = 'video';
  video.id = 'video-standby';
  video.srcObject = null;
  video = next;
}

/**
 * The failover's last stages, from events rather than polls (a background tab's timers are throttled): the video
 * track unmutes at its first packet, and its first decoded frame reaches a copy of the track read frame by frame.
 */
function timeFirstFrame(track, entry) {
  track.addEventListener('unmute', () => { if (failover === entry) failoverStage('packet'); }, { once: true });
  if (typeof MediaStreamTrackProcessor === 'undefined') return;
  const copy = track.clone();
  const reader = new MediaStreamTrackProcessor({ track: copy }).readable.getReader();
  reader.read().then(({ value }) => {
    if (value) value.close();
    if (value && failover === entry) {
      failoverStage('decoded');
      failover = null;
    }
  }).catch(() => {}).finally(() => {
    reader.cancel().catch(() => {});
    copy.stop();
  });
}

/** Video frames {@code connection} has decoded so far. */
async function decodedBy(connection) {
  let frames = 0;
  (await connection.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
  });
  return frames;
}

// The first frame painted after an answer: how long a viewer waits to see the stream.
function watchFirstFrame() {
  if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype)) return;
  video.requestVideoFrameCallback((now) => {
    if (state.firstFrameAt === null) state.firstFrameAt = now;
  });
}

// As a Host Peer: relay the tracks we receive to a client, with addTrack (on the spare connection, when one is made).
async function offerToClient(clientId) {
  closeRelay(clientId);
  const prepared = media ? takeSpare() : null;
  const relay = prepared ? prepared.relay : new RTCPeerConnection({ iceServers });
  relays.set(clientId, relay);
  showPeers();
  log(`relaying to peer ${clientId}${prepared ? ' (on the spare connection)' : ''}`);
  relay.onicecandidate = (event) => {
    if (event.candidate && event.candidate.candidate) {
      send({ command: 'candidate_p2p', id: state.id, peer_id: clientId, candidates: [event.candidate.toJSON()] });
    }
  };
  relay.onconnectionstatechange = () => log(`relay to ${clientId}: ${relay.connectionState}`);
  if (prepared) {
    try {
      await prepared.ready;
    } catch (e) {
      closeRelay(clientId);
      await offerToClient(clientId); // made afresh (there is no spare now)
      return;
    }
  } else {
    const stream = await haveMedia;
    if (relays.get(clientId) !== relay) return; // stopped meanwhile
    stream.getTracks().forEach((track) => relay.addTrack(track, stream));
    await relay.setLocalDescription(await relay.createOffer());
    await capRelay(relay);
  }
  if (relays.get(clientId) !== relay) return; // stopped meanwhile
  // The local description carries the candidates gathered so far; later ones follow as candidate_p2p.
  send({ command: 'offer_p2p', id: state.id, peer_id: clientId, sdp: { type: 'offer', sdp: relay.localDescription.sdp } });
  log(`offer sent to peer ${clientId}`);
  prepareSpareSoon();
}

/** Frames decoded so far on the current connection, read now (tests time failovers with it). */
state.decodedNow = async () => (pc ? decodedBy(pc) : 0);

/** The current connection's video as its receiver saw it: frames, freezes (Chrome's count and seconds), width. */
state.videoNow = async () => {
  const out = {
    framesDecoded: 0, freezeCount: 0, freezeSeconds: 0, width: 0, packetsLost: 0, nackCount: 0, pliCount: 0, keyFramesDecoded: 0,
    jitterBufferMs: 0,
  };
  if (!pc) return out;
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      out.framesDecoded = s.framesDecoded || 0;
      out.freezeCount = s.freezeCount || 0;
      out.freezeSeconds = s.totalFreezesDuration || 0;
      out.width = s.frameWidth || 0;
      out.packetsLost = s.packetsLost || 0;
      out.nackCount = s.nackCount || 0;
      out.pliCount = s.pliCount || 0;
      out.keyFramesDecoded = s.keyFramesDecoded || 0;
      // How long its frames waited in the jitter buffer on average, since the connection began.
      if (s.jitterBufferEmittedCount > 0) out.jitterBufferMs = Math.round((1000 * s.jitterBufferDelay) / s.jitterBufferEmittedCount);
    }
  });
  return out;
};

/** The candidate pair a connection's transport selected, from its stats report, or null before one. */
function selectedPair(report) {
  let pair = null;
  report.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId) || null; });
  return pair;
}

/** The SRTP protection profile the current connection's DTLS settled on (Chrome: SRTP_AEAD_AES_128_GCM), or null before. */
state.srtpCipher = async () => {
  if (!pc) return null;
  let cipher = null;
  (await pc.getStats()).forEach((s) => { if (s.type === 'transport' && s.srtpCipher) cipher = s.srtpCipher; });
  return cipher;
};

/** The transport of the current connection's selected candidate pair ('udp' or 'tcp'), or null before one. */
state.edgeTransport = async () => {
  if (!pc) return null;
  const stats = await pc.getStats();
  const pair = selectedPair(stats);
  const local = pair && stats.get(pair.localCandidateId);
  return local ? local.protocol : null;
};

let previous = null;
let path = null; // the current connection's selected candidate pair, logged when it changes
async function pollStats() {
  if (!pc) return;
  const report = await pc.getStats();
  const pair = selectedPair(report);
  if (pair) {
    const local = report.get(pair.localCandidateId);
    const remote = report.get(pair.remoteCandidateId);
    const now = local && remote ? `${local.protocol} ${local.candidateType} -> ${remote.candidateType} ${remote.address}:${remote.port}` : null;
    if (now && now !== path) log(`path: ${now}`);
    path = now;
  }
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
  if (state.framesDecoded > 0 && state.state === 'connecting media') {
    setState('playing');
    if (warmAudio) warmAudio.close().catch(() => {});
    warmAudio = null;
  }
  $('s-frames').textContent = state.framesDecoded;
  $('s-fps').textContent = `${state.fps} fps`;
  $('s-size').textContent = state.width ? `${state.width}x${state.height}` : '-';
  $('s-bitrate').textContent = `${state.kbps} kbit/s`;
}
setInterval(() => pollStats().catch((e) => log(`stats: ${e}`)), 500);
const relaySent = new Map(); // client id -> { bytesSent, timestamp, since } of its video sender at the last look

/**
 * What our relays upload, as our browser measures them: relays sending, kbit/s sent together, the browser's estimate
 * of what they could send together (absent when it has none), and whether one is limited (its encoder held back by
 * bandwidth or CPU, or its estimate below 80 % of the stream's bitrate) once past its ramp-up.
 */
async function measureUpload() {
  let count = 0;
  let kbps = 0;
  let available = 0;
  let availableKnown = false;
  let limited = false;
  for (const [clientId, relay] of relays) {
    if (relay.connectionState !== 'connected') continue;
    const report = await relay.getStats();
    let out = null;
    report.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') out = s; });
    if (!out) continue;
    count += 1;
    const before = relaySent.get(clientId);
    if (before && out.timestamp > before.timestamp) {
      kbps += Math.round((8 * (out.bytesSent - before.bytesSent)) / (out.timestamp - before.timestamp));
    }
    const since = before ? before.since : performance.now();
    relaySent.set(clientId, { bytesSent: out.bytesSent, timestamp: out.timestamp, since });
    const pair = selectedPair(report);
    const estimate = pair && pair.availableOutgoingBitrate > 0 ? pair.availableOutgoingBitrate / 1000 : -1;
    if (estimate > 0) {
      available += estimate;
      availableKnown = true;
    }
    const held = out.qualityLimitationReason === 'bandwidth' || out.qualityLimitationReason === 'cpu'
      || (relayKbps > 0 && estimate > 0 && estimate < 0.8 * relayKbps);
    if (held && performance.now() - since > RELAY_RAMP_MS) limited = true;
  }
  [...relaySent.keys()].filter((id) => !relays.has(id)).forEach((id) => relaySent.delete(id));
  const upload = { relays: count, kbps, limited };
  if (availableKnown) upload.available = Math.round(available);
  return upload;
}

// What we receive (so the edge can tell a healthy host from a starving one) and, as a host, what our relays upload.
let lastReportAt = 0;
setInterval(async () => {
  if (state.id === null || state.peerId !== 0) return;
  const now = performance.now();
  if (now - lastReportAt < (relays.size > 0 ? UPLOAD_REPORT_MS : REPORT_MS) - 100) return;
  lastReportAt = now;
  const message = { command: 'stats', id: state.id, peer_id: 0, kbps: state.kbps };
  // How often the picture froze (the browser's count): the operators' dashboard shows it beside the edge's figures.
  const video = await state.videoNow().catch(() => null);
  if (video) message.freezes = video.freezeCount;
  if (relays.size > 0) message.upload = await measureUpload().catch(() => undefined);
  if (message.upload) {
    state.upload = message.upload;
    state.uploads.push({ at: Math.round(now), ...message.upload });
    if (state.uploads.length > 40) state.uploads.shift();
  }
  send(message);
}, 500);

window.addEventListener('pagehide', () => {
  stopped = true;
  if (state.id !== null) send({ command: 'stop', id: state.id });
});

closePeerConnection();
connect();
