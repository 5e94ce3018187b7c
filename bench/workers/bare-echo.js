// The floor for a round trip and for a cold start: a module worker with nothing in it that
// says it is ready and echoes every message back.
self.onmessage = (event) => self.postMessage(event.data);
self.postMessage({ type: 'ready' });
