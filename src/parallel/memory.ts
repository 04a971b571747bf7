import * as tf from '@tensorflow/tfjs-core';
import { getHeapStatistics } from 'node:v8';
import type { MemorySample } from './protocol.js';

/** This thread's heap and tensor memory (cheap: no syscalls). */
export function sampleMemory(): MemorySample {
  const h = getHeapStatistics();
  return { heapBytes: h.used_heap_size + h.external_memory, tensorBytes: tf.memory().numBytes };
}
