/* The resolution layer for host paths: see resolve.h. */
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "secshim/cleanup.h"
#include "secshim/resolve.h"
#include "secshim/util.h"

/* ---- Go's path/filepath, lexical (go_path_clean is in util.c) ---- */

char *
go_path_join (const char *a, const char *b)
{
  cleanup_free char *joined = NULL;
  if (a[0] == '\0')
    return go_path_clean (b);
  if (b[0] == '\0')
    return go_path_clean (a);
  xasprintf (&joined, "%s/%s", a, b);
  return go_path_clean (joined);
}

/* ---- the host's answers, remembered for one evaluation ---- */

/* Enough for a config of a few thousand mounts; past it the host is asked
 * again, uncached, so the memo stays bounded whatever the input. */
#define MEMO_MAX 2048

enum memo_kind
{
  MEMO_LSTAT = 1,
  MEMO_READLINK,
  MEMO_STATFS,
};

struct memo_entry
{
  size_t hash;
  size_t path; /* offset of the path in the memo's text */
  enum memo_kind kind;
  long rc;             /* 0 or -errno; readlink: the length */
  mode_t mode;         /* lstat */
  dev_t rdev;          /* lstat */
  unsigned long magic; /* statfs */
  char *link;          /* readlink: rc bytes, asked with link_size */
  size_t link_size;
};

struct host_memo
{
  struct memo_entry *v;
  size_t n, cap;
  struct strbuf text; /* every entry's path, NUL-terminated: one allocation, not one per path */
  uint32_t *slots;    /* index + 1 into v, 0 = empty; nslots a power of two */
  size_t nslots;
  /* A path each of whose prefixes a walk found to be a directory, not a
   * symlink ("" is "/"; one of 256 bytes or more is not kept): a walk of
   * a path that starts with the same components would reach the state
   * result = prefix, no link followed, nothing missing, asking the memo
   * the same questions with the same answers, so it starts there
   * (resolve_walk).  Asking again was ~200 instructions a component, for
   * a policy's forty deny entries below a few directories.  Like the
   * entries, these answers hold for one evaluation. */
  char prefix[256];
  size_t prefix_len;
};

struct host_memo *
host_memo_new (void)
{
  return xzalloc (sizeof (struct host_memo));
}

void
host_memo_free (struct host_memo *m)
{
  size_t i;
  if (m == NULL)
    return;
  for (i = 0; i < m->n; i++)
    free (m->v[i].link);
  free (m->text.buf);
  free (m->v);
  free (m->slots);
  free (m);
}

/* The walks ask about long paths (a rootfs below
 * /var/lib/docker/overlay2/<64 hex digits>/merged): str_hash reads them
 * eight bytes at a time. */
static size_t
memo_hash (enum memo_kind kind, const char *path, size_t len)
{
  return str_hash_n (path, len, (size_t) kind);
}

static struct memo_entry *
memo_find (const struct host_memo *m, enum memo_kind kind, const char *path, size_t hash)
{
  size_t i;
  if (m->nslots == 0)
    return NULL;
  for (i = hash & (m->nslots - 1); m->slots[i] != 0; i = (i + 1) & (m->nslots - 1))
    {
      struct memo_entry *e = &m->v[m->slots[i] - 1];
      if (e->hash == hash && e->kind == kind && strcmp (m->text.buf + e->path, path) == 0)
        return e;
    }
  return NULL;
}

static void
memo_slot (struct host_memo *m, size_t pos)
{
  size_t i;
  for (i = m->v[pos].hash & (m->nslots - 1); m->slots[i] != 0; i = (i + 1) & (m->nslots - 1))
    ;
  m->slots[i] = (uint32_t) (pos + 1);
}

/* A new entry for (kind, path), or NULL when the memo is full. */
static struct memo_entry *
memo_add (struct host_memo *m, enum memo_kind kind, const char *path, size_t len, size_t hash)
{
  struct memo_entry *e;
  if (m->n == MEMO_MAX)
    return NULL;
  if (m->n == m->cap)
    {
      m->cap = m->cap ? m->cap * 2 : 64;
      m->v = xreallocarray (m->v, m->cap, sizeof *m->v);
    }
  if ((m->n + 1) * 2 > m->nslots)
    {
      size_t i;
      m->nslots = m->nslots ? m->nslots * 2 : 128;
      free (m->slots);
      m->slots = xzalloc (m->nslots * sizeof *m->slots);
      for (i = 0; i < m->n; i++)
        memo_slot (m, i);
    }
  e = &m->v[m->n];
  memset (e, 0, sizeof *e);
  e->hash = hash;
  e->path = m->text.len;
  strbuf_append (&m->text, path, len + 1, 4096);
  e->kind = kind;
  memo_slot (m, m->n++);
  return e;
}

/* h->sys_lstat, through the memo.  Only st_mode and st_rdev are filled
 * (what the walks look at), whether or not the memo answered.  len is
 * strlen (path): the walk knows it. */
static int
memo_lstat (const struct host *h, const char *path, size_t len, struct stat *st)
{
  size_t hash = h->memo ? memo_hash (MEMO_LSTAT, path, len) : 0;
  struct memo_entry *e = h->memo ? memo_find (h->memo, MEMO_LSTAT, path, hash) : NULL;
  struct stat full;
  memset (st, 0, sizeof *st);
  if (e == NULL)
    {
      int rc = h->sys_lstat (h, path, &full);
      if (rc == 0)
        {
          st->st_mode = full.st_mode;
          st->st_rdev = full.st_rdev;
        }
      if (h->memo && (e = memo_add (h->memo, MEMO_LSTAT, path, len, hash)) != NULL)
        {
          e->rc = rc;
          e->mode = st->st_mode;
          e->rdev = st->st_rdev;
        }
      return rc;
    }
  st->st_mode = e->mode;
  st->st_rdev = e->rdev;
  return (int) e->rc;
}

/* h->sys_readlink, through the memo. */
static long
memo_readlink (const struct host *h, const char *path, char *buf, size_t size)
{
  size_t hash = h->memo ? memo_hash (MEMO_READLINK, path, strlen (path)) : 0;
  struct memo_entry *e = h->memo ? memo_find (h->memo, MEMO_READLINK, path, hash) : NULL;
  long rc;
  if (e != NULL && e->link_size == size)
    {
      if (e->rc > 0)
        memcpy (buf, e->link, (size_t) e->rc);
      return e->rc;
    }
  rc = h->sys_readlink (h, path, buf, size);
  if (e == NULL && h->memo && (rc <= 0 || (size_t) rc <= size)
      && (e = memo_add (h->memo, MEMO_READLINK, path, strlen (path), hash)) != NULL)
    {
      e->rc = rc;
      e->link_size = size;
      if (rc > 0)
        {
          e->link = xmalloc ((size_t) rc);
          memcpy (e->link, buf, (size_t) rc);
        }
    }
  return rc;
}

/* ---- the kernel's physical walk ---- */

/* Drop the last component of buf (len > 0 means "/x/y" form). */
static void
pop_component (char *buf, size_t *len)
{
  while (*len > 0 && buf[*len - 1] != '/')
    (*len)--;
  if (*len > 0)
    (*len)--;
  buf[*len] = '\0';
}

static bool
only_slashes_left (const char *p)
{
  while (*p == '/')
    p++;
  return *p == '\0';
}

/* The length of path's leading components that are m->prefix's: an end
 * of a component (or 0) of both. */
static size_t
prefix_shared (const struct host_memo *m, const char *path)
{
  size_t i = 0;
  while (i < m->prefix_len && path[i] == m->prefix[i])
    i++;
  if ((i == m->prefix_len || m->prefix[i] == '/') && (path[i] == '/' || path[i] == '\0'))
    return i;
  /* back to the last '/' before the difference, equal in both */
  while (i > 0 && m->prefix[--i] != '/')
    ;
  return i;
}

/* The walk of resolve_host into result (PATH_MAX + 1 bytes): 0 and the
 * physical path in result[0..*rlen) (empty for "/"), 1 when the host
 * cannot walk (path is then to be cleaned lexically), or -errno. */
static int
resolve_walk (const struct host *h, const char *path, unsigned flags, char *result, size_t *rlen)
{
  cleanup_free char *todo = NULL;
  char target[PATH_MAX + 1];
  size_t len = 0;
  int links = 0;
  bool missing = false;
  struct host_memo *m = h ? h->memo : NULL;
  bool plain = m != NULL; /* no link followed, nothing missing: m->prefix grows */
  const char *p;

  if (path == NULL || path[0] != '/')
    return -EINVAL;
  if (strlen (path) >= PATH_MAX)
    return -ENAMETOOLONG;
  if (h == NULL || h->sys_lstat == NULL)
    return 1;
  /* walked in place; a symlink's target and the rest go to todo */
  result[0] = '\0';
  p = path;
  if (m != NULL)
    {
      /* the components the last walks found to be directories: the
       * memo's answers for them, without asking it again */
      len = prefix_shared (m, path);
      memcpy (result, path, len);
      result[len] = '\0';
      m->prefix_len = len;
      p = path + len;
    }
  while (*p)
    {
      const char *start;
      size_t n;
      struct stat st;
      bool last;
      long tl;
      int rc;
      char *next = NULL;

      while (*p == '/')
        p++;
      start = p;
      while (*p && *p != '/')
        p++;
      n = (size_t) (p - start);
      if (n == 0 || (n == 1 && start[0] == '.'))
        continue;
      if (n == 2 && start[0] == '.' && start[1] == '.')
        {
          pop_component (result, &len);
          if (plain && m->prefix_len > len)
            m->prefix_len = len;
          continue;
        }
      if (len + 1 + n >= PATH_MAX)
        return -ENAMETOOLONG;
      result[len++] = '/';
      memcpy (result + len, start, n);
      len += n;
      result[len] = '\0';
      if (missing)
        continue;
      last = only_slashes_left (p);
      rc = memo_lstat (h, result, len, &st);
      if (rc < 0)
        {
          if ((flags & RESOLVE_MISSING_OK) && (rc == -ENOENT || rc == -ENOTDIR))
            {
              missing = true;
              plain = false;
              continue;
            }
          return rc;
        }
      if (!S_ISLNK (st.st_mode))
        {
          if (!last && !S_ISDIR (st.st_mode))
            {
              if (flags & RESOLVE_MISSING_OK)
                {
                  missing = true;
                  plain = false;
                  continue;
                }
              return -ENOTDIR;
            }
          /* result[0..m->prefix_len) is m->prefix while plain */
          if (plain && S_ISDIR (st.st_mode) && len < sizeof m->prefix)
            {
              memcpy (m->prefix + m->prefix_len, result + m->prefix_len, len - m->prefix_len);
              m->prefix_len = len;
            }
          else
            plain = false;
          continue;
        }
      if (last && (flags & RESOLVE_NOFOLLOW_LAST))
        continue;
      plain = false;
      if (++links > RESOLVE_KERNEL_MAX_SYMLINKS)
        return -ELOOP;
      if (h->sys_readlink == NULL)
        return -EINVAL;
      tl = memo_readlink (h, result, target, PATH_MAX);
      if (tl < 0)
        return (int) tl;
      if (tl == 0 || tl >= PATH_MAX)
        return tl == 0 ? -ENOENT : -ENAMETOOLONG;
      target[tl] = '\0';
      if (target[0] == '/')
        {
          len = 0;
          result[0] = '\0';
        }
      else
        pop_component (result, &len);
      {
        /* target "/" the rest, without printf: a walk meets a few links */
        size_t rest = strlen (p);
        next = xmalloc ((size_t) tl + 1 + rest + 1);
        memcpy (next, target, (size_t) tl);
        next[tl] = '/';
        memcpy (next + tl + 1, p, rest + 1);
      }
      free (todo);
      todo = next;
      p = todo;
    }
  *rlen = len;
  return 0;
}

int
resolve_host (const struct host *h, const char *path, unsigned flags, char **out)
{
  char result[PATH_MAX + 1];
  size_t len = 0;
  int rc = resolve_walk (h, path, flags, result, &len);

  *out = NULL;
  if (rc < 0)
    return rc;
  *out = rc == 1 ? go_path_clean (path) : xstrdup (len ? result : "/");
  return 0;
}

int
resolve_host_append (const struct host *h, const char *path, unsigned flags, struct strbuf *out)
{
  char result[PATH_MAX + 1];
  size_t len = 0;
  int rc = resolve_walk (h, path, flags, result, &len);

  if (rc < 0)
    return rc;
  if (rc == 1)
    {
      cleanup_free char *clean = go_path_clean (path);
      strbuf_append (out, clean, strlen (clean) + 1, 1024);
    }
  else if (len == 0)
    strbuf_append (out, "/", 2, 1024);
  else
    strbuf_append (out, result, len + 1, 1024);
  return 0;
}

int
resolve_bind_source (const struct host *h, const char *bundle, const char *source, char **joined, char **out)
{
  cleanup_free char *j = NULL;
  int rc;
  *out = NULL;
  if (joined)
    *joined = NULL;
  if (source[0] != '/')
    {
      /* spec_linux.go: mnt.Source = filepath.Join(cwd, m.Source), cwd being
       * the bundle (runc chdir'ed there) */
      if (bundle == NULL)
        return -EINVAL;
      j = go_path_join (bundle, source);
    }
  else
    j = xstrdup (source); /* given to os.Stat and mount(2) as is */
  rc = resolve_host (h, j, 0, out);
  if (joined)
    *joined = steal_pointer (&j);
  return rc;
}

int
resolve_fs_type (const struct host *h, const char *path, unsigned long *magic)
{
  size_t hash;
  struct memo_entry *e;
  int rc;
  *magic = 0;
  if (h == NULL || h->sys_statfs_type == NULL)
    return 0;
  if (h->memo == NULL)
    return h->sys_statfs_type (h, path, magic);
  hash = memo_hash (MEMO_STATFS, path, strlen (path));
  e = memo_find (h->memo, MEMO_STATFS, path, hash);
  if (e != NULL)
    {
      *magic = e->magic;
      return (int) e->rc;
    }
  rc = h->sys_statfs_type (h, path, magic);
  if ((e = memo_add (h->memo, MEMO_STATFS, path, strlen (path), hash)) != NULL)
    {
      e->rc = rc;
      e->magic = *magic;
    }
  return rc;
}

bool
resolve_magic_is_kernel_fs (unsigned long magic)
{
  static const unsigned long kernel[] = {
    PROC_SUPER_MAGIC,
    SYSFS_MAGIC,
    CGROUP_SUPER_MAGIC,
    CGROUP2_SUPER_MAGIC,
    DEBUGFS_MAGIC,
    TRACEFS_MAGIC,
    SECURITYFS_MAGIC,
    BPF_FS_MAGIC,
    SELINUX_MAGIC,
    EFIVARFS_MAGIC,
    PSTOREFS_MAGIC,
    BINFMTFS_MAGIC,
    0x62656570 /* configfs */,
    0x65735543 /* fusectl */,
  };
  size_t i;
  for (i = 0; i < sizeof kernel / sizeof kernel[0]; i++)
    if (magic == kernel[i])
      return true;
  return false;
}

/* ---- the rootfs view ---- */

void
rview_init (struct rview *v, const struct host *h, const char *rootfs)
{
  memset (v, 0, sizeof *v);
  v->h = h;
  v->rootfs = rootfs ? xstrdup (rootfs) : NULL;
}

void
rview_free (struct rview *v)
{
  size_t i;
  for (i = 0; i < v->n; i++)
    {
      free (v->m[i].dest);
      free (v->m[i].host);
      for (size_t j = 0; j < v->m[i].nlayers; j++)
        free (v->m[i].layers[j]);
      free (v->m[i].layers);
    }
  free (v->m);
  free (v->slots);
  free (v->rootfs);
  memset (v, 0, sizeof *v);
}

/* Position in v->m of the last mount whose dest is exactly path, or -1. */
static long
rview_lookup (const struct rview *v, const char *path)
{
  size_t i;
  if (v->nslots == 0)
    return -1;
  for (i = str_hash (path, 0) & (v->nslots - 1);; i = (i + 1) & (v->nslots - 1))
    {
      size_t s = v->slots[i];
      if (s == 0)
        return -1;
      if (strcmp (v->m[s - 1].dest, path) == 0)
        return (long) (s - 1);
    }
}

static void
rview_insert_slot (size_t *slots, size_t nslots, const struct rview_mount *m, size_t pos)
{
  size_t i;
  for (i = str_hash (m[pos].dest, 0) & (nslots - 1);; i = (i + 1) & (nslots - 1))
    if (slots[i] == 0 || strcmp (m[slots[i] - 1].dest, m[pos].dest) == 0)
      {
        slots[i] = pos + 1;
        return;
      }
}

void
rview_add (struct rview *v, const char *dest, enum rview_kind kind, const char *host, size_t index)
{
  struct rview_mount *m;
  if (v->n == v->cap)
    {
      v->cap = v->cap ? v->cap * 2 : 8;
      v->m = xreallocarray (v->m, v->cap, sizeof *v->m);
    }
  m = &v->m[v->n];
  m->dest = xstrdup (dest);
  m->kind = kind;
  m->host = host ? xstrdup (host) : NULL;
  m->index = index;
  m->layers = NULL;
  m->nlayers = 0;
  v->n++;
  if (v->n * 2 > v->nslots)
    {
      size_t ns = v->nslots ? v->nslots * 2 : 16, i;
      while (v->n * 2 > ns)
        ns *= 2;
      free (v->slots);
      v->slots = xzalloc (ns * sizeof *v->slots);
      v->nslots = ns;
      for (i = 0; i < v->n; i++)
        rview_insert_slot (v->slots, ns, v->m, i);
    }
  else
    rview_insert_slot (v->slots, v->nslots, v->m, v->n - 1);
}

void
rview_add_layers (struct rview *v, const char *dest, char *const *layers, size_t n, size_t index)
{
  struct rview_mount *m;
  size_t i;
  rview_add (v, dest, n > 0 ? RVIEW_HOST : RVIEW_EMPTY, n > 0 ? layers[0] : NULL, index);
  m = &v->m[v->n - 1];
  if (n == 0)
    return;
  m->layers = xreallocarray (NULL, n, sizeof *m->layers);
  for (i = 0; i < n; i++)
    m->layers[i] = xstrdup (layers[i]);
  m->nlayers = n;
}

static enum rview_kind
kind_of (const struct rview *v, long b)
{
  return b < 0 ? RVIEW_HOST : v->m[b].kind;
}

/* Host path backing container path cur in layer `layer` of mount b, into
 * hp (PATH_MAX + 1 bytes).  0, -ENOENT when there is none to look at
 * (lexical), -ENAMETOOLONG when it does not fit in PATH_MAX. */
static int
host_path_of (const struct rview *v, long b, size_t layer, const char *cur, char *hp)
{
  const char *base, *rel;
  size_t lb, lr;
  if (b < 0)
    {
      if (v->rootfs == NULL || layer > 0)
        return -ENOENT;
      base = v->rootfs;
      rel = cur;
    }
  else
    {
      if (v->m[b].kind != RVIEW_HOST)
        return -ENOENT;
      if (v->m[b].nlayers > 0)
        base = layer < v->m[b].nlayers ? v->m[b].layers[layer] : NULL;
      else
        base = layer == 0 ? v->m[b].host : NULL;
      if (base == NULL)
        return -ENOENT;
      rel = cur + (strcmp (v->m[b].dest, "/") == 0 ? 0 : strlen (v->m[b].dest));
    }
  lb = strcmp (base, "/") == 0 ? 0 : strlen (base);
  lr = strlen (rel);
  if (lb + lr >= PATH_MAX)
    return -ENAMETOOLONG;
  memcpy (hp, base, lb);
  memcpy (hp + lb, rel, lr + 1);
  return 0;
}

/* lstat the name in the first layer of b that has it (overlay semantics);
 * hp (PATH_MAX + 1 bytes) gets that host path.  -ENOENT when none has it
 * or a whiteout hides it. */
static int
layered_lstat (const struct rview *v, long b, const char *cur, char *hp, struct stat *st)
{
  size_t layer;
  for (layer = 0;; layer++)
    {
      int rc = host_path_of (v, b, layer, cur, hp);
      if (rc < 0)
        return rc;
      rc = memo_lstat (v->h, hp, strlen (hp), st);
      if (rc == -ENOENT || rc == -ENOTDIR)
        continue;
      if (rc == 0 && S_ISCHR (st->st_mode) && st->st_rdev == 0 && b >= 0 && v->m[b].nlayers > 0)
        return -ENOENT; /* an overlay whiteout */
      return rc;
    }
}

int
rview_resolve (const struct rview *v, const char *path, struct rview_landing *out)
{
  enum
  {
    MAX_DEPTH = PATH_MAX / 2 + 1
  };
  cleanup_free char *todo = NULL;
  /* The mount backing each depth of cur: a real path is a few components
   * deep, so a small array on the stack, grown on the heap past it. */
  long backing_small[64];
  cleanup_free long *backing_heap = NULL;
  long *backing = backing_small;
  size_t backing_cap = sizeof backing_small / sizeof backing_small[0];
  char cur[PATH_MAX + 1];
  char target[PATH_MAX + 1];
  size_t len = 0, depth = 0;
  int links = 0;
  bool in_kernel = false;
  const char *p;

  memset (out, 0, sizeof *out);
  out->mount = -1;
  cur[0] = '\0';
  backing[0] = rview_lookup (v, "/");
  p = path;
  while (*p)
    {
      const char *start;
      size_t n;
      long b, parent;
      char hp[PATH_MAX + 1];
      struct stat st;
      long tl;
      int rc;
      char *next = NULL;

      if (links > RESOLVE_SECUREJOIN_MAX_SYMLINKS)
        return -ELOOP;
      while (*p == '/')
        p++;
      start = p;
      while (*p && *p != '/')
        p++;
      n = (size_t) (p - start);
      if (n == 0 || (n == 1 && start[0] == '.'))
        continue;
      if (n == 2 && start[0] == '.' && start[1] == '.')
        {
          if (depth > 0)
            {
              pop_component (cur, &len);
              depth--;
            }
          continue;
        }
      if (len + 1 + n >= PATH_MAX || depth + 1 > MAX_DEPTH)
        return -ENAMETOOLONG;
      cur[len++] = '/';
      memcpy (cur + len, start, n);
      len += n;
      cur[len] = '\0';
      parent = backing[depth];
      depth++;
      if (depth == backing_cap)
        {
          backing_heap = xreallocarray (backing_heap, backing_cap * 2, sizeof *backing_heap);
          if (backing == backing_small)
            memcpy (backing_heap, backing_small, sizeof backing_small);
          backing = backing_heap;
          backing_cap *= 2;
        }
      b = rview_lookup (v, cur);
      /* A mount at this very path counts only if it was mounted after
       * whatever holds its parent (a later mount over /a hides /a/b). */
      if (b < 0 || (parent >= 0 && b < parent))
        b = parent;
      backing[depth] = b;
      if (b != parent)
        continue; /* a mount point: the root directory of that mount */
      if (kind_of (v, b) == RVIEW_KERNEL)
        {
          in_kernel = true; /* looked up inside a kernel filesystem */
          continue;
        }
      if (kind_of (v, b) == RVIEW_EMPTY || v->h == NULL || v->h->sys_lstat == NULL)
        continue;
      rc = layered_lstat (v, b, cur, hp, &st);
      if (rc == -ENOENT || rc == -ENOTDIR)
        continue; /* securejoin: a missing component is not a symlink */
      if (rc < 0)
        return rc;
      if (!S_ISLNK (st.st_mode))
        continue;
      links++;
      if (v->h->sys_readlink == NULL)
        return -EINVAL;
      tl = memo_readlink (v->h, hp, target, PATH_MAX);
      if (tl < 0)
        return (int) tl;
      if (tl >= PATH_MAX)
        return -ENAMETOOLONG;
      target[tl] = '\0';
      pop_component (cur, &len);
      depth--;
      if (target[0] == '/')
        {
          len = 0;
          cur[0] = '\0';
          depth = 0;
        }
      {
        /* target "/" the rest, without printf: a walk meets a few links */
        size_t rest = strlen (p);
        next = xmalloc ((size_t) tl + 1 + rest + 1);
        memcpy (next, target, (size_t) tl);
        next[tl] = '/';
        memcpy (next + tl + 1, p, rest + 1);
      }
      free (todo);
      todo = next;
      p = todo;
    }
  out->path = xstrdup (len ? cur : "/");
  out->mount = backing[depth];
  out->in_kernel = in_kernel || kind_of (v, backing[depth]) == RVIEW_KERNEL;
  return 0;
}
