/*
 * rlrepro's native kernels, run directly on tfjs-wasm's memory (loaded by src/backend/native-kernels.ts; built by
 * `npm ci` with node-gyp, see binding.gyp):
 *  - gemm: single-precision GEMM from a system BLAS (OpenBLAS from Debian);
 *  - layerNorm / layerNormGrad / gelu / geluGrad: the model's LayerNorm and GELU as one loop each way.
 *
 * Why: XNNPACK in tfjs-wasm tops out near 24 GFLOP/s (128-bit SIMD, one thread); OpenBLAS's AVX2/AVX-512 kernels
 * reach ~80 on the same core. With matmuls that fast, LayerNorm and GELU as ~20 tfjs ops each were a third of a step.
 *
 * The BLAS is opened with dlopen at run time, not linked: the addon builds with only a C compiler and Node's
 * headers, and a machine without OpenBLAS gets a clear "not found" at load time (the wasm kernels stay) instead of
 * a failed install. Operands are byte offsets into one ArrayBuffer (the wasm memory), checked against its length.
 */
#include <dlfcn.h>
#include <math.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CBLAS's enum values (cblas.h is not needed at build time). */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef const char *(*corename_fn)(void);
typedef void (*set_threads_fn)(int);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sgemm_fn sgemm = NULL;
static char loaded_path[512] = "";
static char core_name[64] = "";

#define CHECK(call)                                                                                                   \
  do {                                                                                                                \
    if ((call) != napi_ok) {                                                                                          \
      napi_throw_error(env, NULL, "rlrepro blas: N-API call failed: " #call);                                       \
      return NULL;                                                                                                    \
    }                                                                                                                 \
  } while (0)

static napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

/*
 * The arguments of a kernel call: (buffer, n numbers). Puts the buffer in *buf and the numbers in v; throws and
 * returns 0 when the count or a type is wrong.
 */
static int read_args(napi_env env, napi_callback_info info, size_t n, napi_value *buf, double *v) {
  size_t argc = 16;
  napi_value argv[16];
  if (n + 1 > 16 || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != n + 1) {
    napi_throw_type_error(env, NULL, "rlrepro native: wrong number of arguments");
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (napi_get_value_double(env, argv[i + 1], &v[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "rlrepro native: expected a number argument");
      return 0;
    }
  }
  *buf = argv[0];
  return 1;
}

/* The ArrayBuffer `buf`; checks every [offset, offset + bytes) range given. Throws and returns NULL if not. */
static char *buffer_with(napi_env env, napi_value buf, const int64_t *ranges, int n) {
  void *data = NULL;
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, buf, &data, &bytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "rlrepro native: the first argument must be an ArrayBuffer");
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    const int64_t off = ranges[2 * i], len = ranges[2 * i + 1];
    if (off < 0 || off % 4 || len < 0 || off + len > (int64_t)bytes) {
      napi_throw_range_error(env, NULL, "rlrepro native: operand outside the buffer or misaligned");
      return NULL;
    }
  }
  return (char *)data;
}

/*
 * open(paths: string[], threads: number) -> {path, core} | string (the reason none loaded).
 * Process-wide: the first success wins; later calls (other worker threads) return the same library.
 * OPENBLAS_NUM_THREADS is set before dlopen because OpenBLAS starts its thread pool when it loads.
 */
static napi_value open_blas(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t n = 0;
  int32_t threads = 1;
  if (argc < 2 || napi_get_array_length(env, argv[0], &n) != napi_ok || napi_get_value_int32(env, argv[1], &threads) != napi_ok) {
    napi_throw_type_error(env, NULL, "rlrepro blas: open(paths: string[], threads: number)");
    return NULL;
  }
  char reasons[2048] = "";
  pthread_mutex_lock(&lock);
  if (!sgemm) {
    char buf[16];
    snprintf(buf, sizeof buf, "%d", threads);
    setenv("OPENBLAS_NUM_THREADS", buf, 1);
    for (uint32_t i = 0; i < n && !sgemm; i++) {
      napi_value item;
      char path[512];
      size_t len = 0;
      if (napi_get_element(env, argv[0], i, &item) != napi_ok ||
          napi_get_value_string_utf8(env, item, path, sizeof path, &len) != napi_ok)
        continue;
      void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
      if (!h) {
        const char *e = dlerror();
        strncat(reasons, e ? e : path, sizeof reasons - strlen(reasons) - 3);
        strncat(reasons, "; ", sizeof reasons - strlen(reasons) - 1);
        continue;
      }
      sgemm_fn f = (sgemm_fn)dlsym(h, "cblas_sgemm");
      if (!f) {
        strncat(reasons, path, sizeof reasons - strlen(reasons) - 40);
        strncat(reasons, ": no cblas_sgemm; ", sizeof reasons - strlen(reasons) - 1);
        dlclose(h);
        continue;
      }
      set_threads_fn st = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
      if (st) st(threads);
      corename_fn cn = (corename_fn)dlsym(h, "openblas_get_corename");
      snprintf(core_name, sizeof core_name, "%s", cn ? cn() : "unknown");
      snprintf(loaded_path, sizeof loaded_path, "%s", path);
      sgemm = f;
    }
  }
  int ok = sgemm != NULL;
  pthread_mutex_unlock(&lock);
  if (!ok) return make_string(env, reasons[0] ? reasons : "no library paths given");
  napi_value out;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "path", make_string(env, loaded_path)));
  CHECK(napi_set_named_property(env, out, "core", make_string(env, core_name)));
  return out;
}

/*
 * gemm(buffer, batch, M, N, K, a, strideA, transA, b, strideB, transB, c, bias)
 * For each of `batch` entries: C[M, N] = op(A) @ op(B) (+ bias[N] on every row when bias >= 0), row-major float32.
 * a, b, c, bias are byte offsets into `buffer`; strideA/strideB are byte strides between batch entries (0 reuses
 * one matrix for every entry); C entries are contiguous.
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value buf;
  double v[12];
  if (!read_args(env, info, 12, &buf, v)) return NULL;
  const int64_t batch = (int64_t)v[0], M = (int64_t)v[1], N = (int64_t)v[2], K = (int64_t)v[3];
  const int64_t a = (int64_t)v[4], sa = (int64_t)v[5], b = (int64_t)v[7], sb = (int64_t)v[8];
  const int ta = v[6] != 0, tb = v[9] != 0;
  const int64_t c = (int64_t)v[10], bias = (int64_t)v[11];
  if (!sgemm) {
    napi_throw_error(env, NULL, "rlrepro blas: gemm called before a BLAS was opened");
    return NULL;
  }
  if (batch < 1 || M < 1 || N < 1 || K < 1 || sa < 0 || sb < 0 || (sa | sb) % 4) {
    napi_throw_range_error(env, NULL, "rlrepro blas: gemm got a non-positive size or a bad batch stride");
    return NULL;
  }
  /* Every byte any entry touches lies inside the buffer. */
  const int64_t ranges[] = {a, (batch - 1) * sa + 4 * M * K, b, (batch - 1) * sb + 4 * K * N, c, 4 * batch * M * N,
                            bias >= 0 ? bias : 0, bias >= 0 ? 4 * N : 0};
  char *base = buffer_with(env, buf, ranges, 4);
  if (!base) return NULL;
  for (int64_t i = 0; i < batch; i++) {
    const float *A = (const float *)(base + a + i * sa);
    const float *B = (const float *)(base + b + i * sb);
    float *C = (float *)(base + c + 4 * i * M * N);
    float beta = 0.0f;
    if (bias >= 0) {
      const float *bv = (const float *)(base + bias);
      for (int64_t r = 0; r < M; r++) memcpy(C + r * N, bv, 4 * N);
      beta = 1.0f;
    }
    sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, (int)M, (int)N, (int)K, 1.0f, A, ta ? (int)M : (int)K, B,
          tb ? (int)K : (int)N, beta, C, (int)N);
  }
  return NULL;
}

/*
 * layerNorm(buffer, R, C, x, g, b, y, xhat, rstd, eps): per row of x [R, C], xhat = (x - mean) * rstd with
 * rstd = 1 / sqrt(var + eps) (biased variance, PyTorch's), y = xhat * g + b. Row sums in double.
 */
static napi_value layer_norm(napi_env env, napi_callback_info info) {
  napi_value buf;
  double v[9];
  if (!read_args(env, info, 9, &buf, v)) return NULL;
  const int64_t R = (int64_t)v[0], C = (int64_t)v[1];
  const int64_t rc = 4 * R * C, ranges[] = {(int64_t)v[2], rc, (int64_t)v[3], 4 * C, (int64_t)v[4], 4 * C, (int64_t)v[5], rc, (int64_t)v[6], rc, (int64_t)v[7], 4 * R};
  char *base = buffer_with(env, buf, ranges, 6);
  if (!base || R < 1 || C < 1) return NULL;
  const float *x = (const float *)(base + ranges[0]), *g = (const float *)(base + ranges[2]), *b = (const float *)(base + ranges[4]);
  float *y = (float *)(base + ranges[6]), *xh = (float *)(base + ranges[8]), *rs = (float *)(base + ranges[10]);
  const double eps = v[8];
  for (int64_t r = 0; r < R; r++) {
    const float *xr = x + r * C;
    double sum = 0;
    for (int64_t c = 0; c < C; c++) sum += xr[c];
    const double mean = sum / C;
    double ss = 0;
    for (int64_t c = 0; c < C; c++) ss += (xr[c] - mean) * (xr[c] - mean);
    const float rstd = (float)(1.0 / sqrt(ss / C + eps));
    const float m = (float)mean;
    float *yr = y + r * C, *hr = xh + r * C;
    for (int64_t c = 0; c < C; c++) {
      hr[c] = (xr[c] - m) * rstd;
      yr[c] = hr[c] * g[c] + b[c];
    }
    rs[r] = rstd;
  }
  return NULL;
}

/*
 * layerNormGrad(buffer, R, C, dy, xhat, rstd, g, dx, dg, db): the backward of layerNorm.
 * dxhat = dy * g; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)); dg = sum_rows dy * xhat;
 * db = sum_rows dy (rows added in order).
 */
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  napi_value buf;
  double v[9];
  if (!read_args(env, info, 9, &buf, v)) return NULL;
  const int64_t R = (int64_t)v[0], C = (int64_t)v[1];
  const int64_t rc = 4 * R * C,
                ranges[] = {(int64_t)v[2], rc, (int64_t)v[3], rc, (int64_t)v[4], 4 * R, (int64_t)v[5], 4 * C, (int64_t)v[6], rc, (int64_t)v[7], 4 * C, (int64_t)v[8], 4 * C};
  char *base = buffer_with(env, buf, ranges, 7);
  if (!base || R < 1 || C < 1) return NULL;
  const float *dy = (const float *)(base + ranges[0]), *xh = (const float *)(base + ranges[2]);
  const float *rs = (const float *)(base + ranges[4]), *g = (const float *)(base + ranges[6]);
  float *dx = (float *)(base + ranges[8]), *dg = (float *)(base + ranges[10]), *db = (float *)(base + ranges[12]);
  memset(dg, 0, 4 * C);
  memset(db, 0, 4 * C);
  for (int64_t r = 0; r < R; r++) {
    const float *dyr = dy + r * C, *hr = xh + r * C;
    double s1 = 0, s2 = 0;
    for (int64_t c = 0; c < C; c++) {
      const float d = dyr[c] * g[c];
      s1 += d;
      s2 += d * hr[c];
      dg[c] += dyr[c] * hr[c];
      db[c] += dyr[c];
    }
    const float m1 = (float)(s1 / C), m2 = (float)(s2 / C), rstd = rs[r];
    float *dxr = dx + r * C;
    for (int64_t c = 0; c < C; c++) dxr[c] = rstd * (dyr[c] * g[c] - m1 - hr[c] * m2);
  }
  return NULL;
}

/*
 * exp for the GELU loops: libm's expf does not vectorise (without -ffast-math), this does. Cephes' expf: round
 * x / ln 2 to n, a degree-6 polynomial on the remainder, times 2^n built in the exponent bits; ~1 ulp over the
 * clamped range [-87.3, 88.3] (beyond it the sigmoid is 0 or 1 to float precision anyway).
 */
static inline float exp_vec(float x) {
  x = x < -87.3f ? -87.3f : x; /* ternaries, not fminf/fmaxf: those (and floorf) keep GCC from vectorising */
  x = x > 88.3f ? 88.3f : x;
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest: 1.5 * 2^23 */
  const float t = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * t + 1.3981999507e-3f;
  p = p * t + 8.3334519073e-3f;
  p = p * t + 4.1665795894e-2f;
  p = p * t + 1.6666665459e-1f;
  p = p * t + 5.0000001201e-1f;
  const float e = p * t * t + t + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float two_n;
  memcpy(&two_n, &bits, 4);
  return e * two_n;
}

/* GELU, tanh form, as x * sigmoid(2u), u = k (x + c x^3) (src/model/layers.ts). */
static const float GELU_2K = 1.5957691216057308f; /* 2 sqrt(2 / pi) */
static const float GELU_C = 0.044715f;

/* sigmoid(2u) of GELU at x (x2 = x * x). */
static inline float gelu_sigmoid(float x, float x2) { return 1.0f / (1.0f + exp_vec(-x * (GELU_2K + GELU_2K * GELU_C * x2))); }

/* gelu(buffer, n, x, y) and geluGrad(buffer, n, x, dy, dx): elementwise over n floats. */
static napi_value gelu(napi_env env, napi_callback_info info) {
  napi_value buf;
  double v[3];
  if (!read_args(env, info, 3, &buf, v)) return NULL;
  const int64_t n = (int64_t)v[0], ranges[] = {(int64_t)v[1], 4 * n, (int64_t)v[2], 4 * n};
  char *base = buffer_with(env, buf, ranges, 2);
  if (!base) return NULL;
  const float *x = (const float *)(base + ranges[0]);
  float *y = (float *)(base + ranges[2]);
  for (int64_t i = 0; i < n; i++) {
    y[i] = x[i] * gelu_sigmoid(x[i], x[i] * x[i]);
  }
  return NULL;
}

static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  napi_value buf;
  double v[4];
  if (!read_args(env, info, 4, &buf, v)) return NULL;
  const int64_t n = (int64_t)v[0], ranges[] = {(int64_t)v[1], 4 * n, (int64_t)v[2], 4 * n, (int64_t)v[3], 4 * n};
  char *base = buffer_with(env, buf, ranges, 3);
  if (!base) return NULL;
  const float *x = (const float *)(base + ranges[0]), *dy = (const float *)(base + ranges[2]);
  float *dx = (float *)(base + ranges[4]);
  for (int64_t i = 0; i < n; i++) {
    const float xi = x[i], x2 = xi * xi;
    const float s = gelu_sigmoid(xi, x2);
    /* d/dx [x s(2u)] = s + x s (1 - s) 2k (1 + 3c x^2) */
    dx[i] = dy[i] * (s + xi * s * (1.0f - s) * (GELU_2K + 3.0f * GELU_2K * GELU_C * x2));
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"open", open_blas}, {"gemm", gemm}, {"layerNorm", layer_norm}, {"layerNormGrad", layer_norm_grad}, {"gelu", gelu}, {"geluGrad", gelu_grad}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}
