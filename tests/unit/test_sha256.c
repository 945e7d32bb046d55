/* sha256_hex against coreutils' sha256sum (an independent implementation)
 * on every length 0..300 (all padding cases: rest < 56, 56..63, whole
 * blocks), larger random sizes, unaligned buffers, and the FIPS 180-4
 * example vectors. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secshim/sha256.h"
#include "tap.h"

#define N_SMALL 301
static const size_t big_sizes[] = { 511, 1000, 4096, 4159, 12466, 65536 + 7, 1000003 };
#define N_BIG (sizeof big_sizes / sizeof big_sizes[0])
#define N_FILES (N_SMALL + N_BIG)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned char
next_byte (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned char) (rng_state >> 24);
}

static size_t
file_size (size_t i)
{
  return i < N_SMALL ? i : big_sizes[i - N_SMALL];
}

static int
write_file (const char *path, const unsigned char *data, size_t len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  size_t off = 0;
  while (off < len)
    {
      ssize_t n = write (fd, data + off, len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          close (fd);
          return -1;
        }
      off += (size_t) n;
    }
  return close (fd);
}

static void
check_vectors (void)
{
  char hex[65];
  sha256_hex ("", 0, hex);
  tap_check (strcmp (hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "empty: %s", hex);
  sha256_hex ("abc", 3, hex);
  tap_check (strcmp (hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "abc: %s", hex);
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  sha256_hex (two, strlen (two), hex);
  tap_check (strcmp (hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0,
             "two-block FIPS vector: %s", hex);
}

int
main (void)
{
  char dir[] = "/tmp/secshim-test-sha256.XXXXXX";
  static unsigned char *data[N_FILES];
  char expected[N_FILES][65];
  char cmd[256], line[4096];

  check_vectors ();
  if (mkdtemp (dir) == NULL)
    {
      tap_check (0, "mkdtemp: %s", strerror (errno));
      return tap_done ();
    }
  for (size_t i = 0; i < N_FILES; i++)
    {
      char path[128];
      size_t len = file_size (i);
      /* One spare byte in front: hash from an odd address too. */
      data[i] = malloc (len + 1);
      for (size_t j = 0; j < len + 1; j++)
        data[i][j] = next_byte ();
      snprintf (path, sizeof path, "%s/%05zu", dir, i);
      if (write_file (path, data[i] + 1, len) < 0)
        tap_check (0, "write %s: %s", path, strerror (errno));
    }
  snprintf (cmd, sizeof cmd, "cd %s && sha256sum -- *", dir);
  FILE *p = popen (cmd, "r");
  size_t got = 0;
  while (p && fgets (line, sizeof line, p))
    {
      unsigned idx;
      char digest[65];
      if (sscanf (line, "%64[0-9a-f]  %u", digest, &idx) == 2 && idx < N_FILES)
        {
          memcpy (expected[idx], digest, 65);
          got++;
        }
    }
  int status = p ? pclose (p) : -1;
  if (got != N_FILES || status != 0)
    {
      tap_check (0, "sha256sum gave %zu of %zu digests (status %d)", got, (size_t) N_FILES, status);
      return tap_done ();
    }
  size_t small_bad = 0;
  for (size_t i = 0; i < N_FILES; i++)
    {
      char hex[65];
      size_t len = file_size (i);
      sha256_hex (data[i] + 1, len, hex);
      bool ok = strcmp (hex, expected[i]) == 0;
      /* an aligned copy must agree as well */
      unsigned char *copy = malloc (len + 1);
      memcpy (copy, data[i] + 1, len);
      char hex2[65];
      sha256_hex (copy, len, hex2);
      ok = ok && strcmp (hex2, hex) == 0;
      free (copy);
      if (i < N_SMALL)
        small_bad += !ok;
      else
        tap_check (ok, "%zu random bytes match sha256sum (%s)", len, hex);
      char path[128];
      snprintf (path, sizeof path, "%s/%05zu", dir, i);
      unlink (path);
      free (data[i]);
    }
  tap_check (small_bad == 0, "every length 0..%d matches sha256sum (%zu mismatches)", N_SMALL - 1, small_bad);
  rmdir (dir);
  return tap_done ();
}
