/* SHA-256 (FIPS 180-4), for the policy digest in audit records, the
 * validated-policy cache key and the AppArmor profile content hash.
 * Dependency-free on purpose.  The rounds are unrolled with a rolling
 * 16-word message schedule and input blocks are read in place: every
 * container start hashes the policy and the seccomp profile (~17 KB), and
 * the straightforward loop cost ~4000 instructions per 64-byte block. */
#include <string.h>

#include "secshim/sha256.h"

static const uint32_t k[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x) (ROR (x, 2) ^ ROR (x, 13) ^ ROR (x, 22))
#define S1(x) (ROR (x, 6) ^ ROR (x, 11) ^ ROR (x, 25))
#define s0(x) (ROR (x, 7) ^ ROR (x, 18) ^ ((x) >> 3))
#define s1(x) (ROR (x, 17) ^ ROR (x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

static inline uint32_t
load_be32 (const unsigned char *p)
{
  uint32_t v;
  memcpy (&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap32 (v);
#endif
  return v;
}

/* Schedule word i (i >= 16) in a ring of 16. */
#define W(i) (w[(i) &15] += s1 (w[((i) -2) & 15]) + w[((i) -7) & 15] + s0 (w[((i) -15) & 15]))

/* One round; the eight working variables rotate by naming, not by moves. */
#define ROUND(a, b, c, d, e, f, g, h, i, wi)                                                                           \
  do                                                                                                                   \
    {                                                                                                                  \
      uint32_t t1 = (h) + S1 (e) + CH (e, f, g) + k[i] + (wi);                                                         \
      (d) += t1;                                                                                                       \
      (h) = t1 + S0 (a) + MAJ (a, b, c);                                                                               \
    }                                                                                                                  \
  while (0)

#define ROUNDS8(i, WX)                                                                                                 \
  do                                                                                                                   \
    {                                                                                                                  \
      ROUND (a, b, c, d, e, f, g, h, (i) + 0, WX ((i) + 0));                                                           \
      ROUND (h, a, b, c, d, e, f, g, (i) + 1, WX ((i) + 1));                                                           \
      ROUND (g, h, a, b, c, d, e, f, (i) + 2, WX ((i) + 2));                                                           \
      ROUND (f, g, h, a, b, c, d, e, (i) + 3, WX ((i) + 3));                                                           \
      ROUND (e, f, g, h, a, b, c, d, (i) + 4, WX ((i) + 4));                                                           \
      ROUND (d, e, f, g, h, a, b, c, (i) + 5, WX ((i) + 5));                                                           \
      ROUND (c, d, e, f, g, h, a, b, (i) + 6, WX ((i) + 6));                                                           \
      ROUND (b, c, d, e, f, g, h, a, (i) + 7, WX ((i) + 7));                                                           \
    }                                                                                                                  \
  while (0)

#define W_FIRST(i) (w[i])

static void
sha256_blocks (uint32_t state[8], const unsigned char *p, size_t nblocks)
{
  for (; nblocks > 0; nblocks--, p += 64)
    {
      uint32_t w[16];
      uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
      uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

      for (int i = 0; i < 16; i++)
        w[i] = load_be32 (p + 4 * i);
      ROUNDS8 (0, W_FIRST);
      ROUNDS8 (8, W_FIRST);
      ROUNDS8 (16, W);
      ROUNDS8 (24, W);
      ROUNDS8 (32, W);
      ROUNDS8 (40, W);
      ROUNDS8 (48, W);
      ROUNDS8 (56, W);
      state[0] += a, state[1] += b, state[2] += c, state[3] += d;
      state[4] += e, state[5] += f, state[6] += g, state[7] += h;
    }
}

void
sha256_hex (const void *data, size_t len, char hex[65])
{
  static const char digits[] = "0123456789abcdef";
  uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
  const unsigned char *p = data;
  unsigned char tail[128];
  size_t rest = len % 64, full = len - rest, tail_len;
  uint64_t bits = (uint64_t) len * 8;

  /* Whole blocks straight from the caller's buffer; only the last partial
   * block and the padding are copied. */
  sha256_blocks (h, p, full / 64);
  tail_len = rest < 56 ? 64 : 128;
  memset (tail, 0, tail_len);
  if (rest > 0)
    memcpy (tail, p + full, rest);
  tail[rest] = 0x80;
  for (size_t i = 0; i < 8; i++)
    tail[tail_len - 1 - i] = (unsigned char) (bits >> (8 * i));
  sha256_blocks (h, tail, tail_len / 64);
  for (size_t i = 0; i < 32; i++)
    {
      unsigned char byte = (unsigned char) (h[i / 4] >> (24 - 8 * (i % 4)));
      hex[2 * i] = digits[byte >> 4];
      hex[2 * i + 1] = digits[byte & 15];
    }
  hex[64] = '\0';
}
