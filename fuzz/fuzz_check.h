// CHECK for fuzz targets: a failed invariant aborts, which libFuzzer reports as a crash and
// saves the input. Unlike assert, it is never compiled out.
#pragma once

#include <cstdio>
#include <cstdlib>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                 \
    }                                                                          \
  } while (0)
