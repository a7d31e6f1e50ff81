// Runs in the browser's audio thread: downsample the microphone to 16 kHz mono 16-bit PCM (the live
// socket's wire format) and hand ~100 ms chunks plus a level to the page.
class MicToPcm16 extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / 16000; // sampleRate is the AudioContext's, e.g. 48000
    this.position = 0;
    this.out = new Int16Array(1600);
    this.filled = 0;
    this.sumSquares = 0;
    this.last = 0; // the previous block's last sample: interpolation across block edges
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    // Linear interpolation is enough for speech recognition at 16 kHz and costs nothing.
    while (this.position < channel.length - 1) {
      const i = Math.floor(this.position);
      const t = this.position - i;
      const before = i < 0 ? this.last : channel[i];
      const sample = before * (1 - t) + channel[i + 1] * t;
      this.sumSquares += sample * sample;
      this.out[this.filled++] = Math.max(-32768, Math.min(32767, Math.round(sample * 32767)));
      if (this.filled === this.out.length) {
        const level = Math.sqrt(this.sumSquares / this.filled);
        this.port.postMessage({ pcm: this.out.buffer, level }, [this.out.buffer]);
        this.out = new Int16Array(1600);
        this.filled = 0;
        this.sumSquares = 0;
      }
      this.position += this.ratio;
    }
    this.position -= channel.length;
    this.last = channel[channel.length - 1];
    return true;
  }
}

registerProcessor("mic-to-pcm16", MicToPcm16);
