/* Replay driver: runs a libFuzzer harness over files (or every regular file
 * of directories) named on the command line, without libFuzzer.  Built with
 * gcc and ASan+UBSan by hack/fuzz.sh as build/fuzz/replay-<name>, so that a
 * crash file from a campaign can be reproduced and debugged with any
 * toolchain:
 *
 *   build/fuzz/replay-json build/fuzz/crash-json-<sha1>
 *
 * Exit status 0 when every input ran; the harness aborts on a broken
 * invariant. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

/* libFuzzer harnesses without an initializer leave this undefined. */
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

/* Inputs larger than this are skipped: libFuzzer never produces them with
 * hack/fuzz.sh's settings, and the harnesses' loaders cap at 16 MiB anyway. */
#define REPLAY_MAX_BYTES ((size_t) 64 * 1024 * 1024)

static int
replay_fd (int dirfd, const char *name, const char *shown)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  cleanup_free char *buf = NULL;
  size_t len = 0;

  if (fd < 0)
    {
      fprintf (stderr, "replay: open %s: %s\n", shown, strerror (errno));
      return -1;
    }
  if (read_all_fd (fd, REPLAY_MAX_BYTES, &buf, &len) < 0)
    {
      fprintf (stderr, "replay: read %s: %s\n", shown, strerror (errno));
      return -1;
    }
  fprintf (stderr, "replay: %s (%zu bytes)\n", shown, len);
  LLVMFuzzerTestOneInput ((const uint8_t *) buf, len);
  return 0;
}

/* Every regular file directly inside path (corpus directories are flat). */
static int
replay_dir (const char *path, size_t *count)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;
  int ret = 0;

  if (d == NULL)
    {
      fprintf (stderr, "replay: opendir %s: %s\n", path, strerror (errno));
      return -1;
    }
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *shown = NULL;
      struct stat st;

      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
        continue;
      xasprintf (&shown, "%s/%s", path, de->d_name);
      if (replay_fd (dirfd (d), de->d_name, shown) < 0)
        ret = -1;
      else
        (*count)++;
    }
  return ret;
}

int
main (int argc, char **argv)
{
  size_t count = 0;
  int ret = 0;

  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      struct stat st;

      if (argv[i][0] == '-')
        continue; /* libFuzzer-style options are accepted and ignored */
      if (stat (argv[i], &st) == 0 && S_ISDIR (st.st_mode))
        ret |= replay_dir (argv[i], &count);
      else if (replay_fd (AT_FDCWD, argv[i], argv[i]) < 0)
        ret = -1;
      else
        count++;
    }
  fprintf (stderr, "replay: %zu inputs ran\n", count);
  return ret < 0 ? 1 : 0;
}
