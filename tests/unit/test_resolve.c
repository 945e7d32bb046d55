/* The resolution layer (resolve.h) against a fake host file system, one
 * table row per case: Go's filepath.Clean/Join, runc's bind-source join
 * followed by the kernel's physical walk (fail closed), and the rootfs view
 * with securejoin semantics and the config's mounts laid over it. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "secshim/resolve.h"
#include "secshim/util.h"
#include "tap.h"

/* ---- a fake host ---- */
struct fent
{
  const char *path;
  char type; /* 'd' directory, 'f' file, 'l' symlink, 'x' EACCES on lstat */
  const char *target;
};

static const struct fent fs[] = {
  { "/", 'd', NULL },
  { "/etc", 'd', NULL },
  { "/etc/shadow", 'f', NULL },
  { "/srv", 'd', NULL },
  { "/srv/data", 'd', NULL },
  { "/srv/link-etc", 'l', "/etc" },
  { "/srv/rel-up", 'l', "../etc" },
  { "/b", 'd', NULL },
  { "/b/bundle", 'd', NULL },
  { "/b/bundle/deep", 'd', NULL },
  { "/b/bundle/deep/dir", 'd', NULL },
  { "/b/bundle/lnk", 'l', "/srv/data/x/y" },
  { "/b/bundle/vol", 'd', NULL },
  { "/b/bundle/rootfs", 'd', NULL },
  { "/b/bundle/rootfs/proc", 'd', NULL },
  { "/b/bundle/rootfs/tmp", 'd', NULL },
  { "/b/bundle/rootfs/abs-proc", 'l', "/proc/self" },
  { "/b/bundle/rootfs/up", 'l', "../../../../etc" },
  { "/b/bundle/rootfs/x", 'd', NULL },
  { "/b/bundle/rootfs/mnt", 'd', NULL },
  { "/b/bundle/rootfs/mnt/viaetc", 'l', "/x/self" },
  { "/secret", 'x', NULL },
  { "/loop", 'l', "/loop" },
  { "/srv/data/x", 'd', NULL },
  { "/srv/data/x/y", 'd', NULL },
  { "/srv/data/tolink", 'l', "/mnt" },
};

static const struct fent *
fent_of (const char *path)
{
  size_t i;
  for (i = 0; i < sizeof fs / sizeof fs[0]; i++)
    if (strcmp (fs[i].path, path) == 0)
      return &fs[i];
  return NULL;
}

static size_t lstat_calls, readlink_calls;

static int
fake_lstat (const struct host *h, const char *path, struct stat *st)
{
  const struct fent *e = fent_of (path);
  lstat_calls++;
  memset (st, 0, sizeof *st);
  if (e == NULL)
    return -ENOENT;
  switch (e->type)
    {
    case 'd':
      st->st_mode = S_IFDIR | 0755;
      return 0;
    case 'f':
      st->st_mode = S_IFREG | 0644;
      return 0;
    case 'l':
      st->st_mode = S_IFLNK | 0777;
      return 0;
    default:
      return -EACCES;
    }
}

static long
fake_readlink (const struct host *h, const char *path, char *buf, size_t size)
{
  const struct fent *e = fent_of (path);
  size_t n;
  readlink_calls++;
  if (e == NULL || e->type != 'l')
    return -EINVAL;
  n = strlen (e->target);
  if (n > size)
    n = size;
  memcpy (buf, e->target, n);
  return (long) n;
}

static struct host fake;

/* ---- tables ---- */
struct clean_case
{
  const char *in, *want;
};
static const struct clean_case cleans[] = {
  { "", "." },           { "/", "/" },        { "//a//b/", "/a/b" },   { "/a/./b/..", "/a" },
  { "/../..", "/" },     { "a/../..", ".." }, { "../a/../b", "../b" }, { "/a/b/../../..", "/" },
  { "lnk/../..", ".." }, { "./x/", "x" },
};

struct join_case
{
  const char *a, *b, *want;
};
static const struct join_case joins[] = {
  { "/b/bundle", "vol", "/b/bundle/vol" },  { "/b/bundle", "lnk/../..", "/b" }, /* lexical: lnk is never read */
  { "/b/bundle", "../../etc", "/etc" },                                         /* .. leaves the bundle */
  { "/b/bundle", "/etc", "/b/bundle/etc" },                                     /* Join of an absolute element */
  { "/b/bundle", "", "/b/bundle" },
};

struct bind_case
{
  const char *source;
  int want_rc;
  const char *want;
};
static const struct bind_case binds[] = {
  { "vol", 0, "/b/bundle/vol" },
  { "lnk/../..", 0, "/b" },                   /* runc: Join first; physical would be /srv/data */
  { "lnk", 0, "/srv/data/x/y" },              /* then the kernel follows lnk */
  { "lnk/..", 0, "/b/bundle" },               /* cleaned before lnk is read */
  { "../../etc", 0, "/etc" },                 /* relative source escaping the bundle */
  { "/srv/link-etc", 0, "/etc" },             /* absolute symlink */
  { "/srv/rel-up/shadow", 0, "/etc/shadow" }, /* relative symlink, .. physical */
  { "/srv/link-etc/../srv", 0, "/srv" },      /* .. taken after the symlink: /etc/.. */
  { "/srv/missing", -ENOENT, NULL },          /* fail closed */
  { "missing", -ENOENT, NULL },
  { "/secret/x", -EACCES, NULL },
  { "/loop", -ELOOP, NULL },
  { "/etc/shadow/x", -ENOTDIR, NULL },
};

struct view_case
{
  const char *path;
  int want_rc;
  const char *want;
  int in_kernel;
};
/* View: rootfs /b/bundle/rootfs; mounts: proc at /proc, proc at /x, bind
 * /srv/data at /mnt... as set up in main. */
static const struct view_case views[] = {
  { "/tmp", 0, "/tmp", 0 },
  { "/proc", 0, "/proc", 1 },
  { "/x/self/cwd", 0, "/x/self/cwd", 1 }, /* proc mounted at /x */
  { "/abs-proc", 0, "/proc/self", 1 },    /* absolute link in the rootfs -> its /proc */
  { "/up/shadow", 0, "/etc/shadow", 0 },  /* .. clamped at the rootfs root */
  { "/../../etc", 0, "/etc", 0 },
  { "/data/x/y", 0, "/data/x/y", 0 },         /* inside the bind of /srv/data */
  { "/data/tolink/viaetc", 0, "/x/self", 1 }, /* host link -> /mnt (container), rootfs link -> /x/self */
  { "/nonexistent/../tmp", 0, "/tmp", 0 },
  { "/ov/abs-proc", 0, "/proc/self", 1 }, /* overlay: found in the second layer, a link to /proc/self */
  { "/ov/x/y", 0, "/ov/x/y", 0 },         /* found in the first layer */
};

/* Every bind case and view case through a host with a memo, twice: the
 * same answers as without one; a second round of the bind cases asks the
 * host nothing; past its bound the memo still answers right, asking the
 * host. */
static void
test_memo (void)
{
  struct host memo = fake;
  size_t round, i, before_lstat = 0, before_readlink = 0;
  bool same = true;

  memo.memo = host_memo_new ();
  for (round = 0; round < 2; round++)
    {
      struct rview v;
      for (i = 0; i < sizeof binds / sizeof binds[0]; i++)
        {
          char *a = NULL, *b = NULL;
          int ra = resolve_bind_source (&fake, "/b/bundle", binds[i].source, NULL, &a);
          int rb = resolve_bind_source (&memo, "/b/bundle", binds[i].source, NULL, &b);
          if (ra != rb || (a == NULL) != (b == NULL) || (a && strcmp (a, b) != 0))
            {
              tap_diag ("bind %s: %d %s vs memo %d %s", binds[i].source, ra, a ?: "-", rb, b ?: "-");
              same = false;
            }
          free (a);
          free (b);
        }
      rview_init (&v, &memo, "/b/bundle/rootfs");
      rview_add (&v, "/proc", RVIEW_KERNEL, NULL, 0);
      rview_add (&v, "/x", RVIEW_KERNEL, NULL, 1);
      rview_add (&v, "/data", RVIEW_HOST, "/srv/data", 2);
      for (i = 0; i < sizeof views / sizeof views[0] - 2; i++)
        {
          struct rview_landing l;
          int rc = rview_resolve (&v, views[i].path, &l);
          if (rc != views[i].want_rc || (views[i].want && (l.path == NULL || strcmp (l.path, views[i].want) != 0)))
            {
              tap_diag ("view %s with memo: %s rc %d", views[i].path, l.path ?: "-", rc);
              same = false;
            }
          free (l.path);
        }
      rview_free (&v);
    }
  TAP_CHECK (same, "with a memo: the same answers as without, both rounds");
  host_memo_free (memo.memo);

  memo.memo = host_memo_new ();
  for (round = 0; round < 2; round++)
    {
      before_lstat = lstat_calls;
      before_readlink = readlink_calls;
      for (i = 0; i < sizeof binds / sizeof binds[0]; i++)
        {
          char *b = NULL;
          resolve_bind_source (&memo, "/b/bundle", binds[i].source, NULL, &b);
          free (b);
        }
    }
  TAP_CHECK (lstat_calls == before_lstat && readlink_calls == before_readlink,
             "a second resolution of every bind case asks the host nothing");
  host_memo_free (memo.memo);

  /* 10000 distinct paths: more than the memo keeps (2048).  Each still resolves
   * as written, and a path beyond the bound is asked again each time. */
  memo.memo = host_memo_new ();
  same = true;
  for (i = 0; i < 10000; i++)
    {
      char path[64], *got = NULL;
      snprintf (path, sizeof path, "/srv/data/n%zu", i);
      if (resolve_host (&memo, path, RESOLVE_MISSING_OK, &got) != 0 || strcmp (got, path) != 0)
        same = false;
      free (got);
    }
  before_lstat = lstat_calls;
  {
    char *got = NULL;
    same = same && resolve_host (&memo, "/srv/data/n9999", RESOLVE_MISSING_OK, &got) == 0;
    free (got);
  }
  TAP_CHECK (same && lstat_calls > before_lstat, "past its bound the memo asks the host (%zu lstat)",
             lstat_calls - before_lstat);
  host_memo_free (memo.memo);
}

/* A walk through a memo starts from the directories the walk before it
 * found (resolve.c, the memo's prefix).  Paths in an order where each
 * shares components with the last, through symlinked and missing parents,
 * "..", "." and repeated slashes, forwards and backwards and under every
 * flag: the same answers as a host without a memo. */
static const char *const sequence[] = {
  "/srv/data/x/y",
  "/srv/data/x/y/missing/deeper",
  "/srv/data/x",
  "/srv/data/x/y/../y/./",
  "/srv/data/tolink/a",
  "/srv/data/tolink",
  "/srv/link-etc/shadow",
  "/srv/link-etc/../srv/data/x",
  "/srv/link-etc",
  "/srv/rel-up/shadow",
  "/srv/rel-up/../srv",
  "/srv//data///x/y",
  "/srv/dat",
  "/srv/data2/x",
  "/srv/data/x/y/..",
  "/srv/data/x/y/../../../..",
  "/srv/data/x/yy/../y",
  "/srv/data/missing/../x",
  "/etc/shadow/x",
  "/etc/shadow",
  "/etc/shadow/..",
  "/secret/x",
  "/secret",
  "/loop/a",
  "/loop",
  "/",
  "//",
  "/srv/./data/x",
  "/b/bundle/lnk/z",
  "/b/bundle/lnk/../y",
  "/b/bundle/deep/dir",
  "/b/bundle/deep/dir/../../lnk",
  "/b/bundle/deep/../vol",
  "/b/bundle/vol/../deep/dir",
  "/b/bundle/deep/../rootfs/up/shadow",
};

static void
test_memo_prefix (void)
{
  static const unsigned flag_sets[]
      = { 0, RESOLVE_MISSING_OK, RESOLVE_NOFOLLOW_LAST, RESOLVE_MISSING_OK | RESOLVE_NOFOLLOW_LAST };
  const size_t n = sizeof sequence / sizeof sequence[0];
  char long_path[400];
  size_t f, i, bad = 0, asked = 0;

  /* longer than the prefix the memo keeps, below a kept one */
  snprintf (long_path, sizeof long_path, "/srv/data/x/y/%0300d", 7);
  for (f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++)
    {
      struct host memo = fake;
      memo.memo = host_memo_new ();
      for (i = 0; i < 2 * n + 2; i++)
        {
          /* forwards, then backwards, then the long path twice */
          const char *path = i < n ? sequence[i] : i < 2 * n ? sequence[2 * n - 1 - i] : long_path;
          char *a = NULL, *b = NULL;
          int ra = resolve_host (&fake, path, flag_sets[f], &a);
          int rb = resolve_host (&memo, path, flag_sets[f], &b);
          asked++;
          if (ra != rb || (a == NULL) != (b == NULL) || (a != NULL && strcmp (a, b) != 0))
            {
              tap_diag ("flags %u %s: %d %s vs memo %d %s", flag_sets[f], path, ra, a ?: "-", rb, b ?: "-");
              bad++;
            }
          free (a);
          free (b);
        }
      host_memo_free (memo.memo);
    }
  TAP_CHECK (bad == 0, "a walk from the memo's prefix: the same answers as without a memo (%zu of %zu differ)", bad,
             asked);
}

/* str_hash as first written (the tail read byte by byte, little-endian):
 * the one-load tail must give the same value at every length. */
static size_t
reference_hash (const char *s, size_t seed)
{
  const uint64_t k = 0x9E3779B97F4A7C15ULL;
  size_t n = strlen (s), i;
  uint64_t x = ((uint64_t) seed * k) ^ n, w;
  for (; n >= 8; n -= 8, s += 8)
    {
      memcpy (&w, s, 8);
      x = (x ^ w) * k;
      x ^= x >> 29;
    }
  for (w = 0, i = 0; i < n; i++)
    w |= (uint64_t) (unsigned char) s[i] << (8 * i);
  x = (x ^ w) * k;
  return (size_t) (x ^ (x >> 32));
}

static void
test_str_hash (void)
{
  static const char text[] = "/var/lib/docker/overlay2/0123456789abcdef/merged\xff\x80";
  char key[sizeof text];
  size_t n, bad = 0, same_as_shorter = 0;
  for (n = 0; n < sizeof text; n++)
    {
      memcpy (key, text, n);
      key[n] = '\0';
      if (str_hash (key, 3) != reference_hash (key, 3) || str_hash_n (key, n, 3) != str_hash (key, 3))
        bad++;
      if (n > 0 && str_hash (key, 0) == str_hash_n (key, n - 1, 0))
        same_as_shorter++;
    }
  TAP_CHECK (bad == 0, "str_hash agrees with the byte-by-byte definition at every length (%zu differ)", bad);
  TAP_CHECK (same_as_shorter == 0, "a key and its prefix one byte shorter hash apart (%zu collide)", same_as_shorter);
}

/* xasprintf formats short strings on the stack and long ones with
 * vasprintf: both sides of the 256-byte line give the full text. */
static void
test_xasprintf (void)
{
  size_t widths[] = { 0, 1, 250, 254, 255, 256, 257, 4000 }, i, good = 0;
  for (i = 0; i < sizeof widths / sizeof widths[0]; i++)
    {
      char *got = NULL;
      int n = xasprintf (&got, "<%*s|%d>", (int) widths[i], "x", 42);
      size_t want = (widths[i] > 1 ? widths[i] : 1) + 5;
      if (n >= 0 && (size_t) n == want && strlen (got) == want && got[0] == '<' && strcmp (got + want - 4, "|42>") == 0
          && got[want - 5] == 'x')
        good++;
      free (got);
    }
  TAP_CHECK (good == sizeof widths / sizeof widths[0], "xasprintf: %zu of %zu widths formatted whole", good,
             sizeof widths / sizeof widths[0]);
}

int
main (void)
{
  size_t i;
  struct rview v;

  test_str_hash ();
  test_xasprintf ();
  for (i = 0; i < sizeof cleans / sizeof cleans[0]; i++)
    {
      char *got = go_path_clean (cleans[i].in);
      TAP_CHECK (strcmp (got, cleans[i].want) == 0, "Clean(%s) = %s (got %s)", cleans[i].in, cleans[i].want, got);
      free (got);
    }
  for (i = 0; i < sizeof joins / sizeof joins[0]; i++)
    {
      char *got = go_path_join (joins[i].a, joins[i].b);
      TAP_CHECK (strcmp (got, joins[i].want) == 0, "Join(%s, %s) = %s (got %s)", joins[i].a, joins[i].b, joins[i].want,
                 got);
      free (got);
    }

  memset (&fake, 0, sizeof fake);
  fake.sys_lstat = fake_lstat;
  fake.sys_readlink = fake_readlink;
  for (i = 0; i < sizeof binds / sizeof binds[0]; i++)
    {
      char *got = NULL;
      int rc = resolve_bind_source (&fake, "/b/bundle", binds[i].source, NULL, &got);
      TAP_CHECK (rc == binds[i].want_rc && (binds[i].want == NULL || (got && strcmp (got, binds[i].want) == 0)),
                 "bind source %s -> %s rc %d (got %s rc %d)", binds[i].source, binds[i].want ?: "(error)",
                 binds[i].want_rc, got ?: "(null)", rc);
      free (got);
    }
  {
    char *got = NULL;
    TAP_CHECK (resolve_bind_source (&fake, NULL, "vol", NULL, &got) == -EINVAL,
               "relative source without a bundle: EINVAL");
    free (got);
    TAP_CHECK (resolve_host (&fake, "/srv/missing/a", RESOLVE_MISSING_OK, &got) == 0
                   && strcmp (got, "/srv/missing/a") == 0,
               "missing tail kept lexically with RESOLVE_MISSING_OK");
    free (got);
    TAP_CHECK (resolve_host (&fake, "/srv/link-etc", RESOLVE_NOFOLLOW_LAST, &got) == 0
                   && strcmp (got, "/srv/link-etc") == 0,
               "last symlink kept with RESOLVE_NOFOLLOW_LAST");
    free (got);
  }
  {
    /* resolve_host_append gives resolve_host's answer, appended after the
     * others with its NUL, and appends nothing on an error. */
    static const char *const paths[]
        = { "/srv/link-etc", "/", "/srv/missing/a", "relative", "/srv/data/../data", "//srv//link-etc/x" };
    struct host lexical = { 0 };
    const struct host *hosts[] = { &fake, &lexical };
    struct strbuf b = { 0 };
    size_t h, at, agree = 0, tried = 0;
    for (h = 0; h < 2; h++)
      for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
        {
          char *one = NULL;
          int rc1 = resolve_host (hosts[h], paths[i], RESOLVE_MISSING_OK, &one);
          int rc2;
          at = b.len;
          rc2 = resolve_host_append (hosts[h], paths[i], RESOLVE_MISSING_OK, &b);
          tried++;
          if (rc1 == rc2 && (rc1 < 0 ? b.len == at : b.len == at + strlen (one) + 1 && strcmp (b.buf + at, one) == 0))
            agree++;
          else
            tap_diag ("%s: rc %d/%d, %s", paths[i], rc1, rc2, one ? one : "(none)");
          free (one);
        }
    TAP_CHECK (agree == tried, "resolve_host_append agrees with resolve_host (%zu of %zu)", agree, tried);
    free (b.buf);
  }

  rview_init (&v, &fake, "/b/bundle/rootfs");
  rview_add (&v, "/proc", RVIEW_KERNEL, NULL, 0);
  rview_add (&v, "/x", RVIEW_KERNEL, NULL, 1);
  rview_add (&v, "/data", RVIEW_HOST, "/srv/data", 2);
  {
    char *const layers[] = { (char *) "/srv/data", (char *) "/b/bundle/rootfs" };
    rview_add_layers (&v, "/ov", layers, 2, 3);
  }
  for (i = 0; i < sizeof views / sizeof views[0]; i++)
    {
      struct rview_landing l;
      int rc = rview_resolve (&v, views[i].path, &l);
      TAP_CHECK (rc == views[i].want_rc && (views[i].want == NULL || (l.path && strcmp (l.path, views[i].want) == 0))
                     && (rc < 0 || l.in_kernel == (views[i].in_kernel != 0)),
                 "view %s -> %s%s (got %s%s rc %d)", views[i].path, views[i].want ?: "(error)",
                 views[i].in_kernel ? " in kernel fs" : "", l.path ?: "(null)", l.in_kernel ? " in kernel fs" : "", rc);
      free (l.path);
    }
  {
    /* A later mount over /x hides an earlier one at /x/sub; the reverse
     * order keeps it. */
    struct rview w;
    struct rview_landing l;
    rview_init (&w, NULL, NULL);
    rview_add (&w, "/x/sub", RVIEW_KERNEL, NULL, 0);
    rview_add (&w, "/x", RVIEW_EMPTY, NULL, 1);
    TAP_CHECK (rview_resolve (&w, "/x/sub/a", &l) == 0 && !l.in_kernel, "mount over /x hides the earlier /x/sub");
    free (l.path);
    rview_add (&w, "/x/sub", RVIEW_KERNEL, NULL, 2);
    TAP_CHECK (rview_resolve (&w, "/x/sub/a", &l) == 0 && l.in_kernel, "a later /x/sub is on top again");
    free (l.path);
    rview_free (&w);
  }
  rview_free (&v);
  test_memo ();
  test_memo_prefix ();
  return tap_done ();
}
