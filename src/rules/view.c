/* The container's file system as runc builds it: see view.h. */
#include <errno.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/util.h"
#include "view.h"

bool
mount_sets_bind (const struct json_value *m)
{
  const struct json_value *opts = json_get (m, "options");
  return json_array_has_string (opts, "bind") || json_array_has_string (opts, "rbind");
}

bool
mount_type_is_kernel_fs (const char *type)
{
  static const char *const kernel[]
      = { "proc",     "sysfs",    "cgroup", "cgroup2", "debugfs",     "tracefs",   "securityfs", "bpf",
          "configfs", "efivarfs", "pstore", "fusectl", "binfmt_misc", "selinuxfs", "hugetlbfs" };
  size_t i;
  for (i = 0; type && i < sizeof kernel / sizeof kernel[0]; i++)
    if (strcmp (type, kernel[i]) == 0)
      return true;
  return false;
}

/* The next overlay option of data (options joined with ',' as runc's
 * m.Data), split like the kernel's ovl_next_opt: a backslash escapes the
 * next character.  Returns the option's length, 0 at the end. */
static size_t
next_data_opt (const char **p)
{
  const char *start, *q;
  while (**p == ',')
    (*p)++;
  start = q = *p;
  while (*q && *q != ',')
    {
      if (*q == '\\' && q[1])
        q++;
      q++;
    }
  *p = q;
  return (size_t) (q - start);
}

static void
overlay_push (struct overlay_dirs *d, char key, const char *dir)
{
  if (dir[0] == '\0')
    return;
  if (d->n == d->cap)
    {
      d->cap = d->cap ? d->cap * 2 : 8;
      d->v = xreallocarray (d->v, d->cap, sizeof *d->v);
    }
  d->v[d->n].key = key;
  d->v[d->n].dir = xstrdup (dir);
  d->n++;
}

void
overlay_dirs_parse (const struct json_value *m, struct overlay_dirs *out)
{
  static const char *const keys[] = { "lowerdir=", "lowerdir+=", "upperdir=", "workdir=", "datadir+=" };
  static const char kinds[] = { 'l', 'l', 'u', 'w', 'd' };
  const struct json_value *opts = json_get (m, "options");
  struct strbuf data = { 0 };
  const char *p;
  size_t k, n;

  memset (out, 0, sizeof *out);
  if (!json_is (opts, JSON_ARRAY))
    return;
  for (k = 0; k < opts->count; k++)
    {
      const char *o = json_string (opts->items[k]);
      if (o == NULL)
        continue;
      if (data.len)
        strbuf_append (&data, ",", 1, 256);
      strbuf_append (&data, o, strlen (o), 256);
    }
  p = data.buf ? data.buf : "";
  while ((n = next_data_opt (&p)) > 0)
    {
      const char *opt = p - n;
      for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
        {
          size_t kl = strlen (keys[k]);
          cleanup_free char *dir = NULL;
          size_t j, dl = 0;
          bool split = kinds[k] == 'l';
          if (n < kl || strncmp (opt, keys[k], kl) != 0)
            continue;
          dir = xmalloc (n - kl + 1);
          /* lowerdir holds ':'-separated layers; '\' escapes ':' and ','. */
          for (j = kl; j <= n; j++)
            {
              if (j < n && opt[j] == '\\' && j + 1 < n)
                {
                  dir[dl++] = opt[++j];
                  continue;
                }
              if (j == n || (split && opt[j] == ':'))
                {
                  dir[dl] = '\0';
                  overlay_push (out, kinds[k], dir);
                  dl = 0;
                  continue;
                }
              dir[dl++] = opt[j];
            }
          break;
        }
    }
  free (data.buf);
}

void
overlay_dirs_free (struct overlay_dirs *d)
{
  size_t i;
  for (i = 0; i < d->n; i++)
    free (d->v[i].dir);
  free (d->v);
  memset (d, 0, sizeof *d);
}

/* The layers lookups see in an overlay, top first: upperdir, then each
 * lowerdir in order; physical host paths (relative ones from the rootfs,
 * runc's cwd when it mounts).  A layer that does not resolve is left out
 * (the mounts rule refuses it). */
static size_t
overlay_layers (const struct eval_ctx *ctx, const char *rootfs, const struct json_value *m, char ***out)
{
  struct overlay_dirs d;
  size_t i, n = 0;
  char **v;
  int pass;
  overlay_dirs_parse (m, &d);
  v = xzalloc ((d.n + 1) * sizeof *v);
  for (pass = 0; pass < 2; pass++)
    for (i = 0; i < d.n; i++)
      {
        cleanup_free char *path = NULL;
        char *host = NULL;
        if (d.v[i].key != (pass == 0 ? 'u' : 'l'))
          continue;
        if (d.v[i].dir[0] != '/')
          {
            if (rootfs == NULL)
              continue;
            xasprintf (&path, "%s/%s", rootfs, d.v[i].dir);
          }
        else
          path = xstrdup (d.v[i].dir);
        if (resolve_host (ctx->host, path, 0, &host) == 0)
          v[n++] = host;
      }
  overlay_dirs_free (&d);
  *out = v;
  return n;
}

/* spec_linux.go: rootfsPath = filepath.Join(cwd, root.path) when relative;
 * the validator requires it to be its own EvalSymlinks. */
static char *
rootfs_of (const struct eval_ctx *ctx)
{
  const char *path = json_string (json_get_path (ctx->doc, "root.path"));
  cleanup_free char *joined = NULL;
  char *out = NULL;
  if (path == NULL || path[0] == '\0')
    return NULL;
  if (path[0] != '/')
    {
      if (ctx->id == NULL || ctx->id->bundle == NULL)
        return NULL;
      joined = go_path_join (ctx->id->bundle, path);
    }
  else
    joined = go_path_clean (path);
  if (resolve_host (ctx->host, joined, RESOLVE_MISSING_OK, &out) < 0)
    return NULL;
  return out;
}

/* Whatever this reads from the document, view_inputs (below) must cover
 * too: config_view_shared reuses a view while those inputs are unchanged. */
void
config_view_build (const struct eval_ctx *ctx, struct config_view *cv)
{
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  size_t i;

  memset (cv, 0, sizeof *cv);
  cv->rootfs = rootfs_of (ctx);
  rview_init (&cv->v, ctx->host, cv->rootfs);
  if (!json_is (mounts, JSON_ARRAY) || mounts->count == 0)
    return;
  cv->n = mounts->count;
  cv->m = xzalloc (cv->n * sizeof *cv->m);
  for (i = 0; i < cv->n; i++)
    {
      const struct json_value *m = mounts->items[i];
      struct mount_view *mv = &cv->m[i];
      const char *dest = json_string (json_get (m, "destination"));
      const char *type = json_string (json_get (m, "type"));
      const char *source = json_string (json_get (m, "source"));
      enum rview_kind kind = RVIEW_EMPTY;
      struct rview_landing l;

      mv->bind = mount_sets_bind (m) || str_equal (type, "bind");
      if (mv->bind && source != NULL && source[0] != '\0')
        {
          mv->host_err
              = resolve_bind_source (ctx->host, ctx->id ? ctx->id->bundle : NULL, source, &mv->joined, &mv->host);
          if (mv->host_err == 0 && resolve_fs_type (ctx->host, mv->host, &mv->magic) < 0)
            mv->magic = 0;
        }
      else if (mv->bind)
        mv->host_err = -EINVAL;
      if (mv->bind)
        kind = mv->host_err < 0 ? RVIEW_EMPTY : resolve_magic_is_kernel_fs (mv->magic) ? RVIEW_KERNEL : RVIEW_HOST;
      else if (mount_type_is_kernel_fs (type))
        kind = RVIEW_KERNEL;
      if (dest == NULL || dest[0] == '\0')
        {
          mv->dest_err = -EINVAL;
          continue;
        }
      mv->dest_err = rview_resolve (&cv->v, dest, &l);
      if (mv->dest_err < 0)
        continue;
      mv->landed = l.path;
      mv->dest_in_kernel = l.in_kernel;
      if (!mv->bind && str_equal (type, "overlay"))
        {
          char **layers = NULL;
          size_t nl = overlay_layers (ctx, cv->rootfs, m, &layers), k;
          rview_add_layers (&cv->v, l.path, layers, nl, i);
          for (k = 0; k < nl; k++)
            free (layers[k]);
          free (layers);
          continue;
        }
      rview_add (&cv->v, l.path, kind, kind == RVIEW_HOST ? mv->host : NULL, i);
    }
}

int
config_view_build_from_state (const struct eval_ctx *ctx, struct config_view *cv)
{
  cleanup_free char *path = NULL;
  cleanup_free char *bytes = NULL;
  cleanup_with (json_free) struct json_value *state = NULL;
  const struct json_value *mounts;
  const char *id = ctx->id ? ctx->id->container_id : NULL;
  const char *root = ctx->id && ctx->id->root ? ctx->id->root : "/run/runc";
  const char *rootfs;
  secshim_error_t err = NULL;
  size_t len = 0, i;

  memset (cv, 0, sizeof *cv);
  if (id == NULL || id[0] == '\0' || strchr (id, '/') || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return -1;
  xasprintf (&path, "%s/%s/state.json", root, id);
  if (read_data_file (path, 16u << 20, &bytes, &len, &err) < 0 || json_parse (bytes, len, NULL, &state, &err) < 0)
    {
      secshim_error_release (&err);
      return -1;
    }
  rootfs = json_string (json_get_path (state, "config.rootfs"));
  if (rootfs == NULL || rootfs[0] != '/' || resolve_host (ctx->host, rootfs, RESOLVE_MISSING_OK, &cv->rootfs) < 0)
    return -1;
  rview_init (&cv->v, ctx->host, cv->rootfs);
  mounts = json_get_path (state, "config.mounts");
  if (!json_is (mounts, JSON_ARRAY) || mounts->count == 0)
    return 0;
  cv->n = mounts->count;
  cv->m = xzalloc (cv->n * sizeof *cv->m);
  for (i = 0; i < cv->n; i++)
    {
      const struct json_value *m = mounts->items[i];
      struct mount_view *mv = &cv->m[i];
      const char *dest = json_string (json_get (m, "destination"));
      const char *device = json_string (json_get (m, "device"));
      const char *source = json_string (json_get (m, "source"));
      enum rview_kind kind = RVIEW_EMPTY;
      struct rview_landing l;

      mv->bind = str_equal (device, "bind");
      if (mv->bind && source && source[0] == '/')
        {
          mv->host_err = resolve_host (ctx->host, source, 0, &mv->host);
          if (mv->host_err == 0 && resolve_fs_type (ctx->host, mv->host, &mv->magic) < 0)
            mv->magic = 0;
          kind = mv->host_err < 0 ? RVIEW_EMPTY : resolve_magic_is_kernel_fs (mv->magic) ? RVIEW_KERNEL : RVIEW_HOST;
        }
      else if (mount_type_is_kernel_fs (device))
        kind = RVIEW_KERNEL;
      if (dest == NULL || rview_resolve (&cv->v, dest, &l) < 0)
        continue;
      mv->landed = l.path;
      mv->dest_in_kernel = l.in_kernel;
      rview_add (&cv->v, l.path, kind, kind == RVIEW_HOST ? mv->host : NULL, i);
    }
  return 0;
}

void
config_view_free (struct config_view *cv)
{
  size_t i;
  for (i = 0; i < cv->n; i++)
    {
      free (cv->m[i].landed);
      free (cv->m[i].joined);
      free (cv->m[i].host);
    }
  free (cv->m);
  free (cv->rootfs);
  rview_free (&cv->v);
  memset (cv, 0, sizeof *cv);
}

/* ---- one view per evaluation ---- */

struct view_cache
{
  struct config_view cv;
  struct strbuf inputs; /* what cv was built from, see view_inputs */
};

/* One value the view reads: 0x01 for none (absent or not a string), or
 * 0x02, the string and its NUL.  The tokens cannot run into one another:
 * a string holds no NUL.  Lengths from the node (json_string's text is
 * exactly len bytes), so no strlen: this runs for every mount member at
 * every rule that asks for the view. */
static void
put_text (struct strbuf *b, const char *s, size_t n)
{
  strbuf_reserve (b, n + 2, 1024);
  b->buf[b->len++] = '\2';
  memcpy (b->buf + b->len, s, n);
  b->len += n;
  b->buf[b->len++] = '\0';
  b->buf[b->len] = '\0';
}

static void
put_input (struct strbuf *b, const struct json_value *v)
{
  if (json_is (v, JSON_STRING))
    put_text (b, v->str, v->len);
  else
    strbuf_append (b, "\1", 1, 1024);
}

/* Everything of ctx->doc that config_view_build reads, as json_string
 * sees it, in order: root.path, then each mount's members (all of them,
 * by key: more than the view reads, never less), the options one by one.
 * (ctx->id and ctx->host do not change during an evaluation.) */
static void
view_inputs (const struct eval_ctx *ctx, struct strbuf *b)
{
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  size_t i, j, k;
  put_input (b, json_get_path (ctx->doc, "root.path"));
  if (!json_is (mounts, JSON_ARRAY))
    {
      strbuf_append (b, "\3", 1, 1024); /* no mounts array */
      return;
    }
  for (i = 0; i < mounts->count; i++)
    {
      const struct json_value *m = mounts->items[i];
      for (j = 0; json_is (m, JSON_OBJECT) && j < m->count; j++)
        {
          const struct json_value *v = m->members[j].value;
          put_text (b, m->members[j].key, m->members[j].key_len);
          if (json_is (v, JSON_ARRAY) && strcmp (m->members[j].key, "options") == 0)
            {
              for (k = 0; k < v->count; k++)
                put_input (b, v->items[k]);
              strbuf_append (b, "\4", 1, 1024); /* end of the options */
            }
          else
            put_input (b, v);
        }
      strbuf_append (b, "\5", 1, 1024); /* end of this mount */
    }
}

static void
view_cache_free (void *p)
{
  struct view_cache *c = p;
  config_view_free (&c->cv);
  free (c->inputs.buf);
  free (c);
}

const struct config_view *
config_view_shared (struct eval_ctx *ctx)
{
  struct view_cache *c = ctx->view_cache;
  struct strbuf now = { 0 };

  view_inputs (ctx, &now);
  if (c != NULL && c->inputs.len == now.len && memcmp (c->inputs.buf, now.buf, now.len) == 0)
    {
      free (now.buf);
      return &c->cv;
    }
  if (c != NULL)
    view_cache_free (c);
  c = xzalloc (sizeof *c);
  config_view_build (ctx, &c->cv);
  c->inputs = now;
  ctx->view_cache = c;
  ctx->view_cache_free = view_cache_free;
  return &c->cv;
}
