/* Safe read and atomic replacement of config.json / process.json: see
 * bundle.h for the contract. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secshim/bundle.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

#define TEMP_MARK ".secshim-"
#define STALE_SECONDS 60

static int
open_dir (const char *dir, int *dirfd, char **abs, secshim_error_t *err)
{
  cleanup_close int fd = -1;
  char buf[PATH_MAX];
  const char *path = dir ? dir : ".";

  /* O_NOFOLLOW on the last component: a bundle that is itself a symlink is
   * refused; runc is then pointed at the real path we opened. */
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      struct stat st;
      int errsv = errno;
      if (lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
        return secshim_make_error (err, SECSHIM_EINPUT,
                                   "directory `%s` is a symbolic link: refused (name the real directory)", path);
      return secshim_make_error (err, errsv, "open directory `%s`", path);
    }
  if (realpath (path, buf) == NULL)
    return secshim_make_error (err, errno, "resolve directory `%s`", path);
  *abs = xstrdup (buf);
  *dirfd = steal_fd (&fd);
  return 0;
}

static int
open_doc (struct doc_file *f, size_t max_bytes, secshim_error_t *err)
{
  cleanup_close int fd = -1;

  fd = openat (f->dirfd, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ELOOP)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s/%s is a symbolic link: refused", f->dir, f->name);
  if (fd < 0)
    return secshim_make_error (err, errno, "open `%s/%s`", f->dir, f->name);
  if (fstat (fd, &f->st) < 0)
    return secshim_make_error (err, errno, "stat `%s/%s`", f->dir, f->name);
  if (!S_ISREG (f->st.st_mode))
    return secshim_make_error (err, SECSHIM_EINPUT, "%s/%s is not a regular file", f->dir, f->name);
  if (f->st.st_size < 0 || (uint64_t) f->st.st_size > max_bytes)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s/%s is larger than %zu bytes", f->dir, f->name, max_bytes);
  f->max_bytes = max_bytes;
  f->fd = steal_fd (&fd);
  return 0;
}

int
doc_file_parse (struct doc_file *f, struct json_value **tree, secshim_error_t *err)
{
  struct json_limits limits = json_default_limits;
  secshim_error_t perr = NULL;
  int ret;

  if (f->fd < 0)
    return json_parse (f->bytes, f->len, NULL, tree, err);
  limits.max_bytes = f->max_bytes < limits.max_bytes ? f->max_bytes : limits.max_bytes;
  ret = json_parse_fd (f->fd, (size_t) f->st.st_size, &limits, tree, &f->len, &perr);
  close (f->fd);
  f->fd = -1;
  if (ret == 0)
    return 0;
  /* read errors and a file grown past the cap as when it was read whole */
  if (perr->status == EFBIG)
    ret = secshim_make_error (err, SECSHIM_EINPUT, "%s/%s is larger than %zu bytes", f->dir, f->name, f->max_bytes);
  else if (perr->status != SECSHIM_EINPUT)
    ret = secshim_make_error (err, perr->status, "read `%s/%s`", f->dir, f->name);
  else
    {
      *err = steal_pointer (&perr);
      return -1;
    }
  secshim_error_release (&perr);
  return ret;
}

int
doc_file_open (const char *dir, const char *name, size_t max_bytes, struct doc_file *out, secshim_error_t *err)
{
  memset (out, 0, sizeof *out);
  out->dirfd = out->fd = -1;
  if (open_dir (dir, &out->dirfd, &out->dir, err) < 0)
    return -1;
  out->name = xstrdup (name);
  /* Serialise concurrent secshims on one directory: read-modify-write must
   * not interleave.  The lock goes with the fd (closed on exec). */
  if (flock (out->dirfd, LOCK_EX) < 0)
    {
      secshim_make_error (err, errno, "lock `%s`", out->dir);
      doc_file_close (out);
      return -1;
    }
  if (open_doc (out, max_bytes, err) < 0)
    {
      doc_file_close (out);
      return -1;
    }
  return 0;
}

int
doc_file_open_path (const char *path, size_t max_bytes, struct doc_file *out, secshim_error_t *err)
{
  cleanup_free char *dir = NULL;
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    return doc_file_open (NULL, path, max_bytes, out, err);
  if (slash[1] == '\0')
    return secshim_make_error (err, SECSHIM_EINPUT, "`%s` names a directory, not a file", path);
  dir = slash == path ? xstrdup ("/") : xstrndup (path, (size_t) (slash - path));
  return doc_file_open (dir, slash + 1, max_bytes, out, err);
}

/* Remove our own temp files for this name left by a killed secshim. */
static void
remove_stale_temps (struct doc_file *f)
{
  cleanup_dir DIR *d = NULL;
  cleanup_free char *prefix = NULL;
  struct dirent *de;
  int fd;
  time_t now = time (NULL);

  xasprintf (&prefix, ".%s" TEMP_MARK, f->name);
  fd = openat (f->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return;
    }
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (!str_has_prefix (de->d_name, prefix))
        continue;
      if (fstatat (f->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode)
          && now - st.st_mtime > STALE_SECONDS)
        (void) unlinkat (f->dirfd, de->d_name, 0);
    }
}

static int
make_temp (struct doc_file *f, char **name, secshim_error_t *err)
{
  int attempt;
  for (attempt = 0; attempt < 16; attempt++)
    {
      uint64_t r = 0;
      int fd;
      if (getrandom (&r, sizeof r, 0) != sizeof r)
        r = (uint64_t) getpid () * 2654435761u + (uint64_t) attempt;
      xasprintf (name, ".%s" TEMP_MARK "%016llx", f->name, (unsigned long long) r);
      fd = openat (f->dirfd, *name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        return fd;
      free (*name);
      *name = NULL;
      if (errno != EEXIST)
        return secshim_make_error (err, errno, "create a temporary file in `%s`", f->dir);
    }
  return secshim_make_error (err, EEXIST, "create a temporary file in `%s`", f->dir);
}

/* The file we read must still be the one in place: a concurrent writer that
 * is not us (we hold the lock) means somebody else is changing the bundle. */
static int
check_unchanged (struct doc_file *f, secshim_error_t *err)
{
  struct stat st;
  if (fstatat (f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return secshim_make_error (err, errno, "stat `%s/%s`", f->dir, f->name);
  if (st.st_ino != f->st.st_ino || st.st_dev != f->st.st_dev || st.st_size != f->st.st_size
      || st.st_mtim.tv_sec != f->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s/%s changed while secshim was checking it", f->dir, f->name);
  return 0;
}

/* true if the file, as it is now, holds exactly bytes[0..len).  A file's
 * bytes are never held whole (doc_file_parse reads it a piece at a time,
 * so that a 1 MB config is not in memory as input, tree and output);
 * read in pieces, so memory stays small.
 * Any failure or difference answers false, and the caller then writes,
 * after check_unchanged, as for any other difference. */
static bool
file_holds (struct doc_file *f, const char *bytes, size_t len)
{
  cleanup_close int fd = -1;
  struct stat st;
  char buf[16384];
  size_t off = 0;

  fd = openat (f->dirfd, f->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size < 0 || (size_t) st.st_size != len)
    return false;
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || (size_t) n > len - off)
        return false;
      if (n == 0)
        return off == len;
      if (memcmp (buf, bytes + off, (size_t) n) != 0)
        return false;
      off += (size_t) n;
    }
}

int
doc_file_replace (struct doc_file *f, const char *bytes, size_t len, secshim_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *tmp = NULL;
  mode_t mode = f->st.st_mode & 07755 & ~(mode_t) 022;

  /* Identical bytes: nothing to write.  Without f->bytes (a file), the
   * file itself is compared. */
  if (len == f->len && (f->bytes ? memcmp (bytes, f->bytes, len) == 0 : file_holds (f, bytes, len)))
    return 0;
  remove_stale_temps (f);
  if (check_unchanged (f, err) < 0)
    return -1;
  fd = make_temp (f, &tmp, err);
  if (fd < 0)
    return -1;
  if (write_all_fd (fd, bytes, len) < 0)
    goto fail;
  if (geteuid () == 0 && fchown (fd, f->st.st_uid, f->st.st_gid) < 0)
    goto fail;
  if (fchmod (fd, mode) < 0 || fsync (fd) < 0)
    goto fail;
  if (renameat (f->dirfd, tmp, f->dirfd, f->name) < 0)
    goto fail;
  (void) fsync (f->dirfd);
  return 0;

fail:
  {
    int errsv = errno;
    (void) unlinkat (f->dirfd, tmp, 0);
    return secshim_make_error (err, errsv, "write `%s/%s`", f->dir, f->name);
  }
}

void
doc_file_close (struct doc_file *f)
{
  if (f->dirfd >= 0)
    close (f->dirfd);
  if (f->fd >= 0)
    close (f->fd);
  f->dirfd = f->fd = -1;
  free (f->dir);
  free (f->name);
  free (f->bytes);
  f->dir = f->name = f->bytes = NULL;
}

bool
doc_path_is_stream (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && !S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode);
}

int
doc_stream_read (const char *path, size_t max_bytes, struct doc_file *out, secshim_error_t *err)
{
  cleanup_close int fd = -1;
  const char *slash = strrchr (path, '/');

  memset (out, 0, sizeof *out);
  out->dirfd = out->fd = -1;
  out->dir = slash ? xstrndup (path, (size_t) (slash - path)) : xstrdup (".");
  out->name = xstrdup (slash ? slash + 1 : path);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &out->st) < 0)
    return secshim_make_error (err, errno, "open `%s`", path);
  if (read_all_fd (fd, max_bytes, &out->bytes, &out->len) < 0)
    return secshim_make_error (err, errno == EFBIG ? SECSHIM_EINPUT : errno, "read `%s`", path);
  return 0;
}

int
doc_sealed_memfd (const char *what, const char *bytes, size_t len, secshim_error_t *err)
{
  cleanup_close int fd = memfd_create (what, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return secshim_make_error (err, errno, "%s: memfd_create", what);
  if (write_all_fd (fd, bytes, len) < 0 || lseek (fd, 0, SEEK_SET) < 0
      || fcntl (fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
    return secshim_make_error (err, errno, "%s: writing the checked bytes to a memfd", what);
  if (fcntl (fd, F_SETFD, 0) < 0)
    return secshim_make_error (err, errno, "%s: fcntl", what);
  return steal_fd (&fd);
}
