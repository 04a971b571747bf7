{
  "targets": [
    {
      "target_name": "rlrepro_blas",
      "sources": ["blas.c"],
      "cflags": ["-O3", "-march=native", "-Wall"],
      "libraries": ["-ldl", "-lpthread", "-lm"]
    }
  ]
}
