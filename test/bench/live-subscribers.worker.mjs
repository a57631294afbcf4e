/* global Buffer, setInterval, clearInterval */
// L's subscribers, in a worker thread of the bench (several share the sockets): up to half a million messages a
// second arrive, more than one event loop should be trusted with next to the writers. Each worker opens its
// sockets, subscribes as told, and measures latency itself from the write responses the main thread broadcasts;
// at 'finish' it hands back its latencies and receipt counts.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { rawWebSocket } from './raw-websocket.mjs';

/** { sockets: [{ port, subscriptions: [{ id, shoe: index | null }] }], liveShoes: [uuid] } */
const { sockets: plan, liveShoes } = workerData;
const shoeIndex = new Map(liveShoes.map((id, i) => [id, i]));
const eventKey = (shoe, version) => shoe * 1_000_000 + version;
/** An absolute clock every thread agrees on (performance.now() counts from each thread's own origin). */
const now = () => performance.timeOrigin + performance.now();

const received = new Map(); // eventKey -> receipts
const receivedAt = new Map(); // eventKey -> receipt times before the response was seen
const respondedAt = new Map(); // eventKey -> when the writer had the response
let latencies = new Float64Array(1 << 16);
let count = 0;
let errors = 0;
const record = (latency) => {
  if (count === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[count++] = latency;
};

const SHOE_ID = Buffer.from('"shoeId":"');
const VERSION = Buffer.from('","version":');
/** `{"id":…,"type":"next","payload":{"data":{"shoeEvents":{"shoeId":"<uuid>","version":<n>}}}}` in data[start, end) → eventKey, else -1. */
function eventKeyOf(data, start, end) {
  const at = data.indexOf(SHOE_ID, start);
  if (at < 0 || at >= end) return -1;
  const idStart = at + SHOE_ID.length;
  const idEnd = idStart + 36;
  const shoe = shoeIndex.get(data.toString('latin1', idStart, idEnd));
  if (shoe === undefined || data.compare(VERSION, 0, VERSION.length, idEnd, idEnd + VERSION.length) !== 0) return -1;
  let version = 0;
  for (let i = idEnd + VERSION.length; i < end && data[i] >= 48 && data[i] <= 57; i++) version = version * 10 + data[i] - 48;
  return eventKey(shoe, version);
}

function onEvent(key, at) {
  received.set(key, (received.get(key) ?? 0) + 1);
  const t = respondedAt.get(key);
  if (t !== undefined) return record(at - t);
  const list = receivedAt.get(key);
  if (list) list.push(at);
  else receivedAt.set(key, [at]);
}

const opened = [];
await Promise.all(
  plan.map(
    ({ port, subscriptions }) =>
      new Promise((resolve, reject) => {
        const ws = rawWebSocket(port, '/graphql', 'graphql-transport-ws');
        opened.push(ws);
        ws.on('error', reject);
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
        ws.on('message', (data, start, end) => {
          const key = eventKeyOf(data, start, end);
          if (key >= 0) return onEvent(key, now());
          const text = data.toString('utf8', start, end);
          if (text.includes('"type":"connection_ack"')) {
            for (const { id, shoe } of subscriptions) {
              const payload =
                shoe === null
                  ? { query: 'subscription { shoeEvents { shoeId version } }' }
                  : { query: 'subscription S($id: ID) { shoeEvents(shoeId: $id) { shoeId version } }', variables: { id: liveShoes[shoe] } };
              ws.send(JSON.stringify({ id, type: 'subscribe', payload }));
            }
            return resolve();
          }
          if (!text.includes('"type":"ping"') && !text.includes('"type":"pong"')) {
            errors++;
            if (errors <= 3) parentPort.postMessage({ type: 'unexpected', text: text.slice(0, 300) });
          }
        });
      }),
  ),
);
parentPort.postMessage({ type: 'subscribed' });

const progress = setInterval(() => parentPort.postMessage({ type: 'progress', deliveries: count }), 250);
const elu0 = performance.eventLoopUtilization();
parentPort.on('message', (message) => {
  if (message.type === 'responded') {
    for (let i = 0; i < message.keys.length; i++) {
      const key = message.keys[i];
      const at = message.times[i];
      respondedAt.set(key, at);
      for (const early of receivedAt.get(key) ?? []) record(early - at);
      receivedAt.delete(key);
    }
    return;
  }
  if (message.type === 'finish') {
    clearInterval(progress);
    for (const ws of opened) ws.destroy();
    const result = latencies.slice(0, count);
    parentPort.postMessage(
      { type: 'finished', latencies: result, received: [...received], errors, loopBusy: performance.eventLoopUtilization(elu0).utilization },
      [result.buffer],
    );
  }
});
