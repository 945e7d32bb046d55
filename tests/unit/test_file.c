/* file_open_at / file_read_at, the one whole-file reader: one row per kind
 * of file secshim may find in a trusted file's place, with what each
 * requirement must answer.  A FIFO must be refused at once, not hang (the
 * test would hang instead of failing, so it runs under alarm()). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/file.h"
#include "tap.h"

static char dir[] = "/tmp/secshim-test-file.XXXXXX";

struct row
{
  const char *name;     /* file under dir, made by make_file */
  int flags;            /* extra open flags */
  unsigned require;     /* FILE_REGULAR | FILE_TRUSTED */
  size_t max;           /* size bound */
  int want;             /* 0, -errno or FILE_E* */
  const char *contents; /* what a successful read returns */
};

static const struct row rows[] = {
  { "plain", 0, FILE_REGULAR | FILE_TRUSTED, 64, 0, "hello\n" },
  { "plain", 0, FILE_REGULAR, 6, 0, "hello\n" },
  { "plain", 0, FILE_REGULAR, 5, -EFBIG, NULL },
  { "plain", 0, 0, 5, -EFBIG, NULL },
  { "empty", 0, FILE_REGULAR | FILE_TRUSTED, 0, 0, "" },
  { "group-writable", 0, FILE_REGULAR, 64, 0, "hello\n" },
  { "group-writable", 0, FILE_REGULAR | FILE_TRUSTED, 64, FILE_EUNTRUSTED, NULL },
  { "other-writable", 0, FILE_TRUSTED, 64, FILE_EUNTRUSTED, NULL },
  { "link", 0, FILE_REGULAR | FILE_TRUSTED, 64, 0, "hello\n" },
  { "link", O_NOFOLLOW, FILE_REGULAR, 64, -ELOOP, NULL },
  { "fifo", 0, FILE_REGULAR, 64, FILE_ENOTREG, NULL },
  { "subdir", 0, FILE_REGULAR, 64, FILE_ENOTREG, NULL },
  { "missing", 0, FILE_REGULAR, 64, -ENOENT, NULL },
};

static void
make_file (const char *name, const char *text, mode_t mode)
{
  char path[256];
  int fd;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, text, strlen (text)) != (ssize_t) strlen (text) || fchmod (fd, mode) < 0)
    {
      perror (path);
      exit (2);
    }
  close (fd);
}

static void
setup (void)
{
  char path[256], target[256];

  if (mkdtemp (dir) == NULL)
    {
      perror ("mkdtemp");
      exit (2);
    }
  make_file ("plain", "hello\n", 0644);
  make_file ("empty", "", 0644);
  make_file ("group-writable", "hello\n", 0664);
  make_file ("other-writable", "hello\n", 0646);
  snprintf (target, sizeof target, "%s/plain", dir);
  snprintf (path, sizeof path, "%s/fifo", dir);
  if (mkfifo (path, 0600) < 0)
    exit (2);
  snprintf (path, sizeof path, "%s/link", dir);
  if (symlink (target, path) < 0)
    exit (2);
  snprintf (path, sizeof path, "%s/subdir", dir);
  if (mkdir (path, 0700) < 0)
    exit (2);
}

static void
teardown (void)
{
  static const char *names[] = { "plain", "empty", "group-writable", "other-writable", "link", "fifo" };
  char path[256];
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    {
      snprintf (path, sizeof path, "%s/%s", dir, names[i]);
      unlink (path);
    }
  snprintf (path, sizeof path, "%s/subdir", dir);
  rmdir (path);
  rmdir (dir);
}

int
main (void)
{
  int dfd;
  size_t i;

  alarm (20);
  setup ();
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
    {
      const struct row *r = &rows[i];
      struct stat st;
      char *out = NULL;
      size_t len = 0;
      int got = file_read_at (dfd, r->name, r->flags, r->require, r->max, &out, &len, &st);

      TAP_CHECK (got == r->want, "%s (flags %#x, require %u, max %zu): %d, want %d", r->name, (unsigned) r->flags,
                 r->require, r->max, got, r->want);
      if (r->contents)
        TAP_CHECK (got == 0 && len == strlen (r->contents) && memcmp (out, r->contents, len) == 0 && out[len] == '\0'
                       && S_ISREG (st.st_mode),
                   "%s: read back exactly its bytes, NUL-terminated, with its fstat", r->name);
      free (out);
      if (got >= 0)
        continue;
      /* Refusals read nothing and leave no descriptor behind. */
      TAP_CHECK (out == NULL, "%s: nothing returned on refusal", r->name);
    }
  {
    /* file_open_at hands back a descriptor open on what it checked. */
    struct stat st, again;
    int fd = file_open_at (dfd, "plain", O_NOFOLLOW, FILE_REGULAR | FILE_TRUSTED, 64, &st);
    TAP_CHECK (fd >= 0 && fstat (fd, &again) == 0 && again.st_ino == st.st_ino
                   && (fcntl (fd, F_GETFD) & FD_CLOEXEC) != 0,
               "file_open_at: the descriptor is the file checked, close-on-exec");
    if (fd >= 0)
      close (fd);
  }
  close (dfd);
  teardown ();
  return tap_done ();
}
