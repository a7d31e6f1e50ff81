// The review room's live parts: microphone streaming, recording upload with progress, and the
// transcript following new speech. Everything else on the page works without this file.
(function () {
  const room = document.querySelector("[data-review-id]");
  if (!room) return;
  const reviewId = room.dataset.reviewId;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;

  function refreshTranscript() {
    const list = document.getElementById("transcript");
    if (list && window.htmx) htmx.ajax("GET", `/reviews/${reviewId}/transcript`, { target: "#transcript", swap: "outerHTML" });
  }

  // Someone drafted or decided: re-read the room, but never under a person who is typing in it
  // (their text would be lost); their own submit re-renders the room anyway.
  let roomStale = false;
  function busy() {
    const current = document.getElementById("room");
    const typing = current && current.contains(document.activeElement) && document.activeElement.matches("textarea, input, select");
    const edited = current && [...current.querySelectorAll("textarea, input[type=text]")].some((f) => f.value !== f.defaultValue);
    return typing || edited;
  }
  function refreshRoom() {
    if (!window.htmx) return;
    if (busy()) { roomStale = true; return; }
    roomStale = false;
    htmx.ajax("GET", `/reviews/${reviewId}`, { target: "#room", select: "#room", swap: "outerHTML" });
  }
  document.addEventListener("focusout", () => setTimeout(() => roomStale && refreshRoom(), 500));

  // Follow the transcript unless the reader has scrolled up to read.
  document.addEventListener("htmx:beforeSwap", (e) => {
    const list = document.getElementById("transcript");
    if (list && e.detail.target === list) room.dataset.follow = list.scrollTop + list.clientHeight >= list.scrollHeight - 40 ? "1" : "0";
  });
  document.addEventListener("htmx:afterSwap", () => {
    const list = document.getElementById("transcript");
    if (list && room.dataset.follow !== "0") list.scrollTop = list.scrollHeight;
  });

  // A new or changed segment's row, built from its event as room/_transcript.html renders it (a browser
  // test compares the two), and put in place by start time. No read at all: every participant's page
  // re-reading the whole list (225 kB at 600 segments) on every event was most of the room's load.
  function segmentRow(s, list) {
    const li = document.createElement("li");
    li.id = `seg-${s.id}`;
    li.className = "segment";
    li.dataset.start = s.start_s;
    const span = (className, text) => {
      const part = document.createElement("span");
      part.className = className;
      part.textContent = text;
      return part;
    };
    const minutes = Math.floor(s.start_s / 60);
    const seconds = String(Math.floor(s.start_s % 60)).padStart(2, "0");
    li.append(span("who", s.speaker), " ", span("when", s.source !== "typed" ? `${minutes}:${seconds}` : "typed"), " ");
    li.append(span("said", s.text), " ", span("seg-id", `#${s.id}`));
    if (s.corrected_by) li.append(" ", span("muted corrected", "corrected"));
    if (list.dataset.canCorrect === "1") {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link correct";
      button.dataset.segment = s.id;
      button.dataset.strikable = list.dataset.facilitator === "1" || String(s.person_id) === list.dataset.me ? "1" : "0";
      button.setAttribute("aria-label", `Correct #${s.id}`);
      button.textContent = "correct";
      li.append(" ", button);
    }
    return li;
  }
  function placeSegment(segment) {
    const list = document.getElementById("transcript");
    if (!list) return;
    const row = segmentRow(segment, list);
    const old = document.getElementById(row.id);
    if (old) return old.replaceWith(row);
    list.querySelector("li.empty")?.remove();
    const after = [...list.querySelectorAll("li.segment")].find((li) => Number(li.dataset.start) > segment.start_s);
    const follow = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
    list.insertBefore(row, after || null);
    if (follow && !after) list.scrollTop = list.scrollHeight;
  }

  // Everyone in the review sees committed segments and provisional text as people speak.
  // While this socket is open the transcript list is not re-read every 3 s (_transcript.html).
  function listen() {
    const events = new WebSocket(`${wsBase}/api/reviews/${reviewId}/events`);
    events.onopen = () => {
      // Whatever happened while the socket was down was not pushed: read the list once.
      if (window.debriefEventsLive === false) refreshTranscript();
      window.debriefEventsLive = true;
    };
    events.onmessage = (message) => {
      const event = JSON.parse(message.data);
      const provisional = document.getElementById("provisional");
      if (event.type === "segment") placeSegment(event.segment);
      if (event.type === "draft") refreshRoom();
      if (event.type === "recording_removed") { refreshTranscript(); refreshRoom(); }
      if (event.type === "speaker_named") { refreshTranscript(); refreshRoom(); }
      if (event.type === "segment_removed") {
        const row = document.getElementById(`seg-${event.segment_id}`);
        if (row) row.remove(); else refreshTranscript();
      }
      if (event.type === "recording" && ["done", "failed"].includes(event.recording.status)) refreshRoom();
      if (event.type === "provisional" && provisional) {
        provisional.textContent = event.text ? `${event.speaker} (still speaking, not final): ${event.text}` : "";
      }
    };
    events.onclose = () => {
      window.debriefEventsLive = false;
      setTimeout(listen, 3000);
    };
  }
  listen();

  // Correct a misheard segment: a person's fix, seen by everyone; the audit log keeps the original.
  // The dialog sits outside the transcript list, which is re-read every few seconds.
  document.addEventListener("click", (e) => {
    const button = e.target.closest("button.correct");
    const dialog = document.getElementById("correct-dialog");
    if (!button || !dialog) return;
    const form = dialog.querySelector("form");
    form.elements.text.value = button.closest("li").querySelector(".said").textContent;
    form.dataset.segment = button.dataset.segment;
    form.querySelector(".error").hidden = true;
    // Its speaker or the facilitator may strike it ("off the record"); the server checks again.
    form.querySelector(".strike").hidden = button.dataset.strikable !== "1";
    dialog.showModal();
  });
  document.addEventListener("submit", (e) => {
    const form = e.target.closest("#correct-form");
    if (!form) return;
    e.preventDefault();
    const body = JSON.stringify({ text: form.elements.text.value });
    changeSegment(form, { method: "PATCH", headers: { "content-type": "application/json", "x-csrftoken": csrf }, body });
  });
  document.addEventListener("click", (e) => {
    const form = e.target.closest(".strike") && e.target.closest("#correct-form");
    if (!form || !confirm("Remove this segment from the transcript? The review's audit log keeps that it was removed, not the words.")) return;
    changeSegment(form, { method: "DELETE", headers: { "x-csrftoken": csrf } });
  });
  function changeSegment(form, request) {
    fetch(`/api/reviews/${reviewId}/segments/${form.dataset.segment}`, request).then(async (response) => {
      if (response.ok) { form.closest("dialog").close(); refreshTranscript(); return; }
      const body = await response.json().catch(() => ({}));
      const error = form.querySelector(".error");
      error.textContent = body.detail || `Not saved (${response.status}); try again.`;
      error.hidden = false;
    }).catch(() => {
      const error = form.querySelector(".error");
      error.textContent = "Not saved: the server could not be reached; try again.";
      error.hidden = false;
    });
  }

  // Join with the microphone: 16 kHz PCM16 over the participant's live socket.
  const join = document.getElementById("join");
  const status = document.getElementById("live-status");
  const meter = document.getElementById("level");
  const muteButton = document.getElementById("mute");
  let live = null;
  let muted = false;
  function setMuted(value) {
    muted = value;
    muteButton.textContent = muted ? "Unmute" : "Mute";
    muteButton.setAttribute("aria-pressed", String(muted));
    if (live && live.ready) status.textContent = muted ? "Muted: nothing you say leaves this browser." : "You are live: what you say is transcribed.";
  }
  // A socket that closed by itself (a network drop, 1006; a server restarting, 1001/1012/1013) is
  // opened again while the microphone stays on: another app process takes the stream over, and the
  // server places the new stream's words on the call's clock from when it starts. Audio said while
  // no socket is open is not sent. Refusals (4xxx), bad audio (1007/1008) and a stop are final.
  const TRANSIENT = new Set([1001, 1006, 1011, 1012, 1013, 1014]);
  const RETRIES = 8; // 1 + 2 + 4 + 8 + 10 * 4 s: about a minute of trying
  async function start() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true } });
    const context = new AudioContext();
    await context.audioWorklet.addModule("/static/mic-worklet.js");
    await context.resume(); // created after an await, the context may start suspended
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, "mic-to-pcm16");
    const session = { stream, context, socket: null, ready: false, retries: 0 };
    node.port.onmessage = (m) => {
      meter.value = muted ? 0 : Math.min(1, m.data.level * 4);
      // Muted, the socket carries zeros instead of the microphone: the stream's clock stays in step
      // with the call (each speaker's words are placed by samples received), and nothing said is sent.
      const socket = session.socket;
      if (session.ready && socket.readyState === WebSocket.OPEN) socket.send(muted ? new ArrayBuffer(m.data.pcm.byteLength) : m.data.pcm);
    };
    source.connect(node);
    // The processor only runs while connected to the graph's output; a muted gain keeps it silent.
    const mute = context.createGain();
    mute.gain.value = 0;
    node.connect(mute).connect(context.destination);
    live = session;
    join.textContent = "Leave (stop the microphone)";
    status.textContent = "Connecting…";
    connect(session);
  }
  function connect(session) {
    const socket = new WebSocket(`${wsBase}/api/reviews/${reviewId}/live`);
    socket.binaryType = "arraybuffer";
    session.socket = socket;
    session.ready = false;
    socket.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.type === "ready") { session.ready = true; session.retries = 0; muteButton.hidden = false; setMuted(muted); }
    };
    socket.onclose = (e) => {
      if (live !== session) { // left: this is the server confirming the stop
        if (!live) status.textContent = e.reason ? `Not live: ${e.reason}` : "Not live.";
        return;
      }
      session.ready = false;
      if (TRANSIENT.has(e.code) && session.retries < RETRIES) {
        const wait = Math.min(10, 2 ** session.retries++);
        status.textContent = `Connection lost; reconnecting in ${wait} s (what you say meanwhile is not transcribed)…`;
        setTimeout(() => live === session && connect(session), wait * 1000);
        return;
      }
      status.textContent = e.reason ? `Not live: ${e.reason}` : "Not live: the connection was lost.";
      stop();
    };
  }
  function stop() {
    if (!live) return;
    const session = live;
    live = null;
    if (session.socket.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify({ type: "stop" }));
    else session.socket.close();
    session.stream.getTracks().forEach((t) => t.stop());
    session.context.close();
    muteButton.hidden = true;
    setMuted(false);
    join.textContent = "Join with microphone";
    meter.value = 0;
  }
  if (muteButton) muteButton.addEventListener("click", () => setMuted(!muted));
  if (join) join.addEventListener("click", () => (live ? stop() : start().catch((e) => { status.textContent = `Microphone unavailable: ${e.message}`; })));

  // Upload a recording: a real progress bar for the upload, then for transcription.
  const zone = document.getElementById("upload");
  if (zone) {
    const input = zone.querySelector("input[type=file]");
    const sent = document.getElementById("upload-progress");
    const done = document.getElementById("transcribe-progress");
    const note = document.getElementById("upload-status");
    const upload = (file) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `/api/reviews/${reviewId}/recordings?filename=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader("x-csrftoken", csrf);
      xhr.setRequestHeader("content-type", "application/octet-stream");
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) { sent.value = e.loaded / e.total; note.textContent = `Uploading ${file.name}: ${Math.round(100 * e.loaded / e.total)}%`; } };
      xhr.onload = () => {
        const body = JSON.parse(xhr.responseText || "{}");
        if (xhr.status !== 201) { note.textContent = body.detail || `Upload failed (${xhr.status}).`; return; }
        sent.value = 1;
        refreshRoom(); // the recording joins the room's list
        follow(body.id);
      };
      xhr.onerror = () => { note.textContent = "The upload was interrupted; try again."; };
      xhr.send(file);
    };
    const follow = (recordingId) => {
      fetch(`/api/reviews/${reviewId}/recordings/${recordingId}`).then((response) => {
        if (response.status === 404) { note.textContent = "The recording was removed."; done.value = 0; return null; }
        return response.json();
      }).then((r) => {
        if (!r) return;
        done.value = r.percent / 100;
        const eta = r.remaining_s != null ? ` · about ${Math.round(r.remaining_s)} s left` : "";
        note.textContent = r.status === "done" ? `Transcribed: ${r.segments} segment(s) added to the transcript.`
          : r.status === "failed" ? `Transcription failed: ${r.error}` : `Transcribing: ${Math.round(r.percent)}%${eta}`;
        refreshTranscript();
        if (r.status !== "done" && r.status !== "failed") setTimeout(() => follow(recordingId), 1000);
      });
    };
    input.addEventListener("change", () => input.files[0] && upload(input.files[0]));
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]); });
  }
})();
