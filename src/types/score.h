// Order-preserving encoding of a sorted-set score: 8 bytes whose bytewise order is the
// numeric order of the doubles (-inf < ... < -0 < +0 < ... < +inf), for the 'z' score range
// (keys.h). NaN is never stored (ZADD refuses it). DO NOT CHANGE: on disk.
//
// The IEEE-754 bits, big-endian, with the sign bit flipped for positives and every bit
// flipped for negatives (more negative doubles have larger magnitude bits).
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include "util/coding.h"

namespace strata::types {

inline void EncodeScore(double score, char* dst) {
  uint64_t bits = std::bit_cast<uint64_t>(score);
  bits = (bits & (1ull << 63)) ? ~bits : bits | (1ull << 63);
  EncodeBigEndian64(dst, bits);
}

inline void AppendScore(std::string* out, double score) {
  char buf[8];
  EncodeScore(score, buf);
  out->append(buf, 8);
}

inline double DecodeScore(const char* src) {
  uint64_t bits = DecodeBigEndian64(src);
  bits = (bits & (1ull << 63)) ? bits & ~(1ull << 63) : ~bits;
  return std::bit_cast<double>(bits);
}

}  // namespace strata::types
