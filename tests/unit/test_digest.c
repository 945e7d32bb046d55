/* pack_digest, the compiled policy's content hash: XXH3-128, the same
 * bytes whichever build runs (src/policy/digest_avx2.c is picked when the
 * CPU has AVX2), so an entry one build wrote is found by the other.  The
 * expected digests come from Debian's libxxhash (XXH3_128bits, canonical
 * form) on bytes (unsigned char) (i * 31 + 7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/policy/digest.h"
#include "secshim/pack.h"
#include "tap.h"

static const struct
{
  size_t len;
  const char *hex;
} known[] = {
  { 0, "99aa06d3014798d86001c324468d497f" },     { 1, "495b62073ef70ca44c5cca45d0f4811f" },
  { 3, "46f66cb93538156515f7093b173d005c" },     { 16, "650fe308c566747df853dd94614dfa07" },
  { 17, "18217300b5132d5a78c349fe81b2f26c" },    { 128, "b4f87b99d2db8a511e04fad9f0cacb4d" },
  { 129, "6881633650cd8924c51bc887976aef63" },   { 240, "de57aab31e77a2ff93e173833f75ab66" },
  { 241, "92b991a7192f3f080b3b630948ce4a00" },   { 1000, "f534f51e82a81d29989765d0ea7a5ecd" },
  { 1024, "4c17271c906df79223bc880ebf0d29c6" },  { 4096, "49d3842b33d51e8aa3c19f8174cde0bb" },
  { 12466, "73780049a5e074ee555307b6a2bc55d2" }, { 100000, "8ce7a24d31cd94b1ccf90df7e7e37036" },
};

static void
hex (const uint8_t d[16], char out[33])
{
  int i;
  for (i = 0; i < 16; i++)
    snprintf (out + 2 * i, 3, "%02x", d[i]);
}

int
main (void)
{
  enum
  {
    MAX = 100000 + 64
  };
  unsigned char *buf = malloc (MAX);
  bool avx2 = pack_digest_avx2_usable ();
  size_t i, len, off, differ = 0, tried = 0;

  if (buf == NULL)
    abort ();
  for (i = 0; i < MAX; i++)
    buf[i] = (unsigned char) (i * 31 + 7);

  for (i = 0; i < sizeof known / sizeof known[0]; i++)
    {
      uint8_t d[16];
      char g[33], a[33] = "", p[33];
      pack_digest_generic (buf, known[i].len, d);
      hex (d, g);
      if (avx2)
        {
          pack_digest_avx2 (buf, known[i].len, d);
          hex (d, a);
        }
      pack_digest (buf, known[i].len, d);
      hex (d, p);
      TAP_CHECK (strcmp (g, known[i].hex) == 0 && (!avx2 || strcmp (a, known[i].hex) == 0)
                     && strcmp (p, known[i].hex) == 0,
                 "%zu bytes: %s (generic %s, avx2 %s, pack_digest %s)", known[i].len, known[i].hex, g,
                 avx2 ? a : "not run", p);
    }

  /* Every length up to 1100 (all of XXH3's size classes and stripe
   * boundaries) at four alignments: both builds agree. */
  if (!avx2)
    TAP_SKIP ("this CPU has no AVX2: only the generic build runs");
  else
    {
      for (len = 0; len <= 1100; len++)
        for (off = 0; off < 4; off++)
          {
            uint8_t g[16], a[16];
            pack_digest_generic (buf + off, len, g);
            pack_digest_avx2 (buf + off, len, a);
            differ += memcmp (g, a, 16) != 0;
            tried++;
          }
      TAP_CHECK (differ == 0, "generic and AVX2 builds agree on %zu inputs (%zu differ)", tried, differ);
    }
  free (buf);
  return tap_done ();
}
