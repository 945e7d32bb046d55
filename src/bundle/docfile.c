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

/* Give the written temp file (fd, closed here) the original's owner and
 * mode, make it durable and rename it over the original. */
static int
finish_temp (struct doc_file *f, int fd, const char *tmp, secshim_error_t *err)
{
  mode_t mode = f->st.st_mode & 07755 & ~(mode_t) 022;

  if (geteuid () == 0 && fchown (fd, f->st.st_uid, f->st.st_gid) < 0)
    goto fail;
  if (fchmod (fd, mode) < 0 || fsync (fd) < 0)
    goto fail;
  if (renameat (f->dirfd, tmp, f->dirfd, f->name) < 0)
    goto fail;
  close (fd);
  (void) fsync (f->dirfd);
  return 0;

fail:
  {
    int errsv = errno;
    close (fd);
    (void) unlinkat (f->dirfd, tmp, 0);
    return secshim_make_error (err, errsv, "write `%s/%s`", f->dir, f->name);
  }
}

/* ---- writing a tree a piece at a time ---- */

/* The pieces of a document's new bytes go first to a comparison with the
 * file as it is, then, from the first difference, to the temporary file.
 * A difference in the first piece (nearly every rewrite: the first piece
 * holds a small config whole, and a large one's process.user) switches at
 * once; a later one stops the comparison, and the document is generated
 * again into the temporary file. */
struct tree_out
{
  struct doc_file *f;
  int cmp_fd; /* the file, compared piece by piece; -1 when it could not be */
  bool differs;
  bool restart; /* differs after the first piece: write again from the start */
  size_t off;   /* bytes taken so far */
  int out_fd;   /* the temporary file, once writing */
  char *tmp;
};

#define TREE_DIFFERS_LATE 1

/* true if the next n bytes of fd are buf[0..n) */
static bool
fd_holds_next (int fd, const char *buf, size_t n)
{
  char tmp[16384];
  while (n > 0)
    {
      size_t want = n < sizeof tmp ? n : sizeof tmp;
      ssize_t r = read (fd, tmp, want);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0 || memcmp (tmp, buf, (size_t) r) != 0)
        return false;
      buf += r;
      n -= (size_t) r;
    }
  return true;
}

static int
tree_out_begin (struct tree_out *t, secshim_error_t *err)
{
  remove_stale_temps (t->f);
  if (check_unchanged (t->f, err) < 0)
    return -1;
  t->out_fd = make_temp (t->f, &t->tmp, err);
  return t->out_fd < 0 ? -1 : 0;
}

static int
tree_out_piece (void *opaque, const char *piece, size_t len, secshim_error_t *err)
{
  struct tree_out *t = opaque;
  if (t->out_fd < 0 && !t->differs)
    t->differs = t->cmp_fd < 0 || !fd_holds_next (t->cmp_fd, piece, len);
  if (t->out_fd < 0 && t->differs)
    {
      if (t->off > 0)
        {
          t->restart = true;
          return TREE_DIFFERS_LATE;
        }
      if (tree_out_begin (t, err) < 0)
        return -1;
    }
  t->off += len;
  if (t->out_fd >= 0 && write_all_fd (t->out_fd, piece, len) < 0)
    return secshim_make_error (err, errno, "write `%s/%s`", t->f->dir, t->f->name);
  return 0;
}

/* The whole output was taken: identical to the file (and to what was
 * read), or written. */
static bool
tree_out_identical (struct tree_out *t)
{
  char c;
  if (t->out_fd >= 0 || t->differs || t->off != t->f->len)
    return false;
  for (;;)
    {
      ssize_t r = read (t->cmp_fd, &c, 1);
      if (r < 0 && errno == EINTR)
        continue;
      return r == 0;
    }
}

int
doc_file_write_tree (struct doc_file *f, const struct json_value *doc, secshim_error_t *err)
{
  struct tree_out t = { .f = f, .out_fd = -1 };
  cleanup_free char *tmp = NULL;
  int ret;

  t.cmp_fd = openat (f->dirfd, f->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  ret = json_write_stream (doc, tree_out_piece, &t, err);
  if (ret == TREE_DIFFERS_LATE)
    {
      /* the first pieces are gone: generate again, into the temp file */
      t.differs = true;
      t.off = 0;
      ret = tree_out_begin (&t, err);
      if (ret == 0)
        ret = json_write_stream (doc, tree_out_piece, &t, err);
    }
  if (t.cmp_fd >= 0)
    {
      if (ret == 0 && tree_out_identical (&t))
        ret = 1;
      close (t.cmp_fd);
    }
  tmp = t.tmp;
  if (ret != 0)
    {
      if (t.out_fd >= 0)
        {
          close (t.out_fd);
          (void) unlinkat (f->dirfd, tmp, 0);
        }
      return ret > 0 ? 0 : -1;
    }
  /* the file differs at its end only (shorter, or longer) */
  if (t.out_fd < 0)
    {
      ret = tree_out_begin (&t, err);
      tmp = t.tmp;
      if (ret == 0)
        ret = json_write_stream (doc, tree_out_piece, &t, err);
      if (ret != 0)
        {
          if (t.out_fd >= 0)
            {
              close (t.out_fd);
              (void) unlinkat (f->dirfd, tmp, 0);
            }
          return -1;
        }
    }
  return finish_temp (f, t.out_fd, tmp, err);
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
