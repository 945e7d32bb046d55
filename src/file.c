/* The one whole-file reader (secshim/file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/util.h"

static bool
trusted_owner (const struct stat *st)
{
  return (st->st_uid == 0 || st->st_uid == geteuid ()) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int
file_open_at (int dirfd, const char *path, int flags, unsigned require, size_t max, struct stat *st)
{
  cleanup_close int fd = -1;

  if (require & FILE_REGULAR)
    flags |= O_NONBLOCK;
  fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | flags);
  if (fd < 0 || fstat (fd, st) < 0)
    return -errno;
  if ((require & FILE_REGULAR) && !S_ISREG (st->st_mode))
    return FILE_ENOTREG;
  if (S_ISREG (st->st_mode) && (uintmax_t) st->st_size > max)
    return -EFBIG;
  if ((require & FILE_TRUSTED) && !trusted_owner (st))
    return FILE_EUNTRUSTED;
  return steal_fd (&fd);
}

int
file_read_at (int dirfd, const char *path, int flags, unsigned require, size_t max, char **out, size_t *out_len,
              struct stat *st)
{
  cleanup_close int fd = -1;
  struct stat local;

  fd = file_open_at (dirfd, path, flags, require, max, st ? st : &local);
  if (fd < 0)
    return fd;
  if (read_all_fd (fd, max, out, out_len) < 0)
    return -errno;
  return 0;
}

int
file_read_input (const char *file, size_t max, char **out, size_t *out_len)
{
  cleanup_close int fd = -1;

  if (strcmp (file, "-") != 0)
    return file_read_at (AT_FDCWD, file, 0, 0, max, out, out_len, NULL);
  fd = fcntl (STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  if (fd < 0 || read_all_fd (fd, max, out, out_len) < 0)
    return -errno;
  return 0;
}

int
file_error (secshim_error_t *err, int r, const char *path, size_t max, const struct stat *st)
{
  switch (r)
    {
    case FILE_ENOTREG:
      return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is not a regular file", path);
    case FILE_EUNTRUSTED:
      return secshim_make_error (err, SECSHIM_ECONFIG,
                                 "`%s` must be owned by root and writable by no one else (owner uid %u, mode %04o)",
                                 path, (unsigned) st->st_uid, (unsigned) (st->st_mode & 07777));
    case -EFBIG:
      return secshim_make_error (err, SECSHIM_ECONFIG, "`%s` is larger than %zu bytes", path, max);
    default:
      return secshim_make_error (err, -r, "open `%s`", path);
    }
}

int
read_data_file (const char *path, size_t max, char **out, size_t *out_len, secshim_error_t *err)
{
  struct stat st;
  int r = file_read_at (AT_FDCWD, path, O_NOFOLLOW, FILE_REGULAR, max, out, out_len, &st);
  return r < 0 ? file_error (err, r, path, max, &st) : 0;
}
