/**
 * Kernels tfjs-backend-wasm 4.22 lacks or runs slowly, registered for `wasm` only. Called by `initBackend`.
 * (Empty for now: each kernel added here gets a parity test against the cpu backend.)
 */
export function registerWasmKernels(): void {}
