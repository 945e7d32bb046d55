/* Data files of a policy's rules: see datafile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "datafile.h"
#include "secshim/cleanup.h"
#include "secshim/sha256.h"
#include "secshim/util.h"

/* The same rule as for the policy file itself (src/policy/load.c): root's,
 * or the caller's for tests run as a user, and writable by no one else.
 * Only such a file changes nothing but through root (or the euid), and only
 * then does "the ctime did not move" mean "nobody wrote it". */
static bool
trusted_owner (const struct stat *st)
{
  return (st->st_uid == 0 || st->st_uid == geteuid ()) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* More than the coarsest timestamp granularity of a Linux file system one
 * would keep a policy on (1 s: ext4 with 128-byte inodes; 2 s: FAT). */
static unsigned settle_seconds = 3;

void
data_file_set_settle_seconds (unsigned seconds)
{
  settle_seconds = seconds;
}

/* Any write from now on gets a later ctime than this one, whatever the
 * granularity.  A ctime in the future (clock set back) is not settled. */
static bool
ctime_settled (const struct stat *st)
{
  struct timespec now;
  if (clock_gettime (CLOCK_REALTIME, &now) < 0)
    return false;
  if (settle_seconds == 0)
    return st->st_ctim.tv_sec < now.tv_sec || (st->st_ctim.tv_sec == now.tv_sec && st->st_ctim.tv_nsec <= now.tv_nsec);
  return st->st_ctim.tv_sec < now.tv_sec && (uintmax_t) (now.tv_sec - st->st_ctim.tv_sec) > settle_seconds;
}

static bool
same_identity (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size
         && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
         && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int
read_from_start (const struct data_file *f, char **out, size_t *out_len, secshim_error_t *err)
{
  if (lseek (f->fd, 0, SEEK_SET) < 0)
    return secshim_make_error (err, errno, "read `%s`", f->path);
  if (read_all_fd (f->fd, f->max, out, out_len) < 0)
    {
      if (errno == EFBIG)
        return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is larger than %zu bytes", f->path, f->max);
      return secshim_make_error (err, errno, "read `%s`", f->path);
    }
  return 0;
}

int
data_file_open (const char *path, size_t max, struct data_file *f, secshim_error_t *err)
{
  cleanup_close int fd = -1;

  memset (f, 0, sizeof *f);
  f->fd = -1;
  f->max = max;
  f->path = xstrdup (path);
  /* O_NONBLOCK: a FIFO put in the file's place must not hang the load. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return secshim_make_error (err, errno, "open `%s`", path);
  if (fstat (fd, &f->st) < 0)
    return secshim_make_error (err, errno, "stat `%s`", path);
  if (!S_ISREG (f->st.st_mode))
    return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is not a regular file", path);
  if ((uintmax_t) f->st.st_size > max)
    return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is larger than %zu bytes", path, max);
  /* Whoever can write the seccomp profile or the AppArmor source decides
   * what every container may do: the same rule as for the policy itself. */
  if (!trusted_owner (&f->st))
    return secshim_make_error (err, SECSHIM_ECONFIG,
                               "`%s` must be owned by root and writable by no one else (owner uid %u, mode %04o)", path,
                               (unsigned) f->st.st_uid, (unsigned) (f->st.st_mode & 07777));
  f->by_identity = ctime_settled (&f->st);
  f->fd = steal_fd (&fd);
  if (f->by_identity)
    return 0;
  /* The key is a digest of the bytes, which must then be the bytes used:
   * read them now and keep them. */
  if (read_from_start (f, &f->bytes, &f->len, err) < 0)
    return -1;
  sha256_hex (f->bytes, f->len, f->sha256);
  close (steal_fd (&f->fd));
  return 0;
}

int
data_file_read (struct data_file *f, char **out, size_t *out_len, secshim_error_t *err)
{
  cleanup_free char *buf = NULL;
  struct stat after;
  size_t len = 0;

  if (!f->by_identity)
    {
      *out = xmalloc (f->len + 1);
      memcpy (*out, f->bytes, f->len);
      (*out)[f->len] = '\0';
      *out_len = f->len;
      return 0;
    }
  if (f->fd < 0)
    return secshim_make_error (err, EBADF, "read `%s`", f->path);
  if (read_from_start (f, &buf, &len, err) < 0)
    return -1;
  /* Identity after the read: if it is the one from before, no write
   * happened in between (a write sets ctime), so these are its bytes. */
  if (fstat (f->fd, &after) < 0)
    return secshim_make_error (err, errno, "stat `%s`", f->path);
  f->changed = !same_identity (&f->st, &after) || (uintmax_t) after.st_size != len;
  f->st = after;
  *out = steal_pointer (&buf);
  *out_len = len;
  return 0;
}

char *
data_file_key (const struct data_file *f)
{
  char *text = NULL;
  if (f->by_identity)
    xasprintf (&text, "file %ju:%ju size %jd mtime %jd.%09ld ctime %jd.%09ld", (uintmax_t) f->st.st_dev,
               (uintmax_t) f->st.st_ino, (intmax_t) f->st.st_size, (intmax_t) f->st.st_mtim.tv_sec,
               f->st.st_mtim.tv_nsec, (intmax_t) f->st.st_ctim.tv_sec, f->st.st_ctim.tv_nsec);
  else
    xasprintf (&text, "sha256 %s", f->sha256);
  return text;
}

void
data_file_release (struct data_file *f)
{
  if (f->fd >= 0)
    close (f->fd);
  f->fd = -1;
  free (f->path);
  free (f->bytes);
  f->path = f->bytes = NULL;
}
