/* Rule "mounts": every mount judged by what runc 1.1.5 will do with it.
 *
 * Types are an allowlist, each with its constraints (runc decides a bind
 * mount by MS_BIND, "bind"/"rbind" in the options, whatever the type):
 *  - bind (or type "bind"): the source as runc resolves it (view.h,
 *    resolve.h: joined to the bundle with Go's lexical filepath.Join, then
 *    walked physically) must resolve, must not be a block device or on a
 *    kernel filesystem, and is compared with each denied path, its
 *    descendants and its ancestors: mounting /run exposes /run/systemd, and
 *    mounting / exposes everything.  Read-only does not make a denied path
 *    allowed: a read-only docker.sock is still a root shell on the host.
 *  - tmpfs, devpts, mqueue: no host path (the source is a name).
 *  - cgroup, cgroup2, sysfs: read-only.  proc only where it lands on /proc,
 *    sysfs only on /sys: elsewhere maskedPaths and readonlyPaths do not
 *    apply.
 *  - overlay: every lowerdir/upperdir/workdir path (lowerdir split on ':',
 *    relative ones taken from the rootfs, runc's cwd at mount time) judged
 *    exactly like a bind source.
 *  - anything else (ext4 on /dev/sda, "none" without bind, ...) only when
 *    the policy names the type in allowTypes.
 * CIS Docker Benchmark 5.6 (sensitive host directories), 5.32 (docker socket);
 * PSS baseline "HostPath volumes".
 *
 * What the engine mounts itself passes by ownership and identity
 * (docs/policy.md, "Engine-owned mounts"), before the deny lists:
 *  - below a per-container tree (ownContainerDirs, ownSandboxDirs,
 *    ownPodDirs: /var/lib/docker/containers, the CRI sandboxes dirs,
 *    /var/lib/kubelet/pods, ...) a bind source passes only inside the
 *    directory named by this container's own id: the runc id it was created
 *    with (argv), the CRI sandbox id (io.kubernetes.cri.sandbox-id, checked
 *    against the argv id for the sandbox container itself) or the pod uid
 *    (io.kubernetes.cri.sandbox-uid).  Another id's directory, the tree
 *    itself and its ancestors are refused: they hold every container's
 *    files.  The path judged is the physical one, so `<own>/../<other>` or a
 *    symlink inside the own directory is judged where it leads.
 *  - the engine's init (engineInit, docker's docker-init) passes when the
 *    source is the very file (st_dev, st_ino) of one of the named binaries,
 *    bound read-only at docker's /sbin/docker-init.
 *
 * The same rule also refuses, for every mount:
 *  - shared/rshared propagation, in options or linux.rootfsPropagation: the
 *    container's mounts would propagate back to the host (CIS 5.20,
 *    CVE-2025-31133/52565/52881 need it);
 *  - destinations that land (securejoin over the rootfs and the mounts
 *    before) under /proc or /sys other than the standard proc, sysfs and
 *    /sys/fs/cgroup mounts, or inside a kernel filesystem mounted elsewhere
 *    (CVE-2019-16884, CVE-2023-27561: mounts over /proc defeat AppArmor and
 *    masks). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/json.h"
#include "secshim/landlock.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/resolve.h"
#include "secshim/settings.h"
#include "secshim/util.h"
#include "view.h"

struct mounts_state
{
  struct strv deny;        /* the path, everything below it, every ancestor */
  struct strv deny_exact;  /* the path and its ancestors; below it is allowed */
  struct strv allow_types; /* filesystem types allowed beyond the built-in ones */
  /* Per-container trees: only the entry named by the owner's id may be bound. */
  struct strv own_container; /* <tree>/<runc container id>/ */
  struct strv own_sandbox;   /* <tree>/<CRI sandbox id>/ */
  struct strv own_pod;       /* <tree>/<pod uid>/ (kubelet) */
  struct strv engine_init;   /* the engine's init binaries, compared by inode */
  struct strv engine_roots;  /* runc --root directories only the engine uses */
};

/* docker's inContainerInitPath (daemon/oci_linux.go): "/sbin/" + docker-init. */
#define ENGINE_INIT_DESTINATION "/sbin/docker-init"

enum owner_kind
{
  OWNER_CONTAINER,
  OWNER_SANDBOX,
  OWNER_POD,
  OWNER_KINDS
};

static void
free_mounts (void *p)
{
  struct mounts_state *s = p;
  strv_free (&s->deny);
  strv_free (&s->deny_exact);
  strv_free (&s->allow_types);
  strv_free (&s->own_container);
  strv_free (&s->own_sandbox);
  strv_free (&s->own_pod);
  strv_free (&s->engine_init);
  strv_free (&s->engine_roots);
  free (s);
}

/* Every path list holds absolute paths; an owned tree must not be "/" (it
 * would make every path someone's). */
static int
check_absolute_paths (const struct mounts_state *s, secshim_error_t *err)
{
  const struct
  {
    const char *key;
    const struct strv *v;
  } lists[] = { { "ownContainerDirs", &s->own_container },
                { "ownSandboxDirs", &s->own_sandbox },
                { "ownPodDirs", &s->own_pod },
                { "engineInit", &s->engine_init },
                { "engineRoots", &s->engine_roots } };
  size_t l, i;
  for (l = 0; l < sizeof lists / sizeof lists[0]; l++)
    for (i = 0; i < lists[l].v->n; i++)
      {
        const char *e = lists[l].v->v[i];
        cleanup_free char *clean = e[0] == '/' ? go_path_clean (e) : NULL;
        if (clean == NULL || strcmp (clean, "/") == 0)
          return secshim_make_error (err, SECSHIM_ECONFIG, "rules.mounts.%s: `%s` is not an absolute path below /",
                                     lists[l].key, e);
      }
  return 0;
}

static int
load_mounts (struct json_value *settings, const char *policy_dir, void **state, secshim_error_t *err)
{
  struct mounts_state *s = xzalloc (sizeof *s);
  size_t i;
  if (take_strv (settings, "rules.mounts", "deny", &s->deny, err) < 0
      || take_strv (settings, "rules.mounts", "denyExact", &s->deny_exact, err) < 0
      || take_strv (settings, "rules.mounts", "allowTypes", &s->allow_types, err) < 0
      || take_strv (settings, "rules.mounts", "ownContainerDirs", &s->own_container, err) < 0
      || take_strv (settings, "rules.mounts", "ownSandboxDirs", &s->own_sandbox, err) < 0
      || take_strv (settings, "rules.mounts", "ownPodDirs", &s->own_pod, err) < 0
      || take_strv (settings, "rules.mounts", "engineInit", &s->engine_init, err) < 0
      || take_strv (settings, "rules.mounts", "engineRoots", &s->engine_roots, err) < 0)
    goto fail;
  if (check_absolute_paths (s, err) < 0)
    goto fail;
  for (i = 0; i < s->allow_types.n; i++)
    if (s->allow_types.v[i][0] == '\0' || strpbrk (s->allow_types.v[i], ",/ \t") != NULL)
      {
        secshim_make_error (err, SECSHIM_ECONFIG, "rules.mounts.allowTypes[%zu]: `%s` is not a filesystem type", i,
                            s->allow_types.v[i]);
        goto fail;
      }
  for (i = 0; i < s->deny.n + s->deny_exact.n; i++)
    {
      const char *e = i < s->deny.n ? s->deny.v[i] : s->deny_exact.v[i - s->deny.n];
      if (e[0] != '/')
        {
          secshim_make_error (err, SECSHIM_ECONFIG, "rules.mounts.%s: `%s` is not an absolute path",
                              i < s->deny.n ? "deny" : "denyExact", e);
          goto fail;
        }
    }
  *state = s;
  return 0;
fail:
  free_mounts (s);
  return -1;
}

/* inner is outer or lies below it ("/" contains everything). */
static bool
contains (const char *outer, const char *inner)
{
  size_t lo;
  /* Every host path of a mount meets every denied path, both ways: most
   * pairs differ in their first two bytes ("/v" and "/t"), and the
   * comparison below would find the same without a library call. */
  if (outer[0] != '\0' && outer[1] != '\0' && (outer[0] != inner[0] || outer[1] != inner[1]))
    return false;
  lo = strlen (outer);
  if (strcmp (outer, "/") == 0)
    return true;
  return strncmp (outer, inner, lo) == 0 && (inner[lo] == '\0' || inner[lo] == '/');
}

/* Does mounting source expose denied?  Always when source is denied or one
 * of its ancestors; when whole_tree, also when source lies below denied.
 * "/" as a denied tree would deny everything, so it only ever counts as a
 * path. */
static bool
exposes (const char *source, const char *denied, bool whole_tree)
{
  if (contains (source, denied))
    return true;
  return whole_tree && strcmp (denied, "/") != 0 && contains (denied, source);
}

/* The deny entries as the host resolves them (/var/run/docker.sock is
 * /run/docker.sock), computed once per document on the first bind mount:
 * each resolution walks the path with lstat, and a config with hundreds of
 * bind mounts must not repeat that for every mount. */
struct resolved_deny
{
  char **v; /* deny entries, then deny_exact entries, all in text */
  size_t n;
  char *text; /* v's strings, one allocation */
  /* The per-container trees as the host resolves them, and whose this
   * container is (engine-owned mounts), computed with the deny entries. */
  char **trees;       /* own_container, then own_sandbox, then own_pod */
  char **clean_trees; /* the same as written, cleaned (Go's filepath.Clean) */
  size_t ntrees;
  const char *self; /* the runc id naming this container's entries, NULL: none */
  char *no_self;    /* why there is none (malloc'd) */
  char *pod_uid;    /* its pod's uid, from its sandbox (malloc'd), NULL: none */
  char *no_pod;     /* why there is none (malloc'd) */
};

static void
resolved_deny_free (struct resolved_deny *r)
{
  size_t i;
  free (r->text);
  free (r->v);
  for (i = 0; i < r->ntrees; i++)
    {
      free (r->trees[i]);
      free (r->clean_trees[i]);
    }
  free (r->trees);
  free (r->clean_trees);
  free (r->no_self);
  free (r->pod_uid);
  free (r->no_pod);
  memset (r, 0, sizeof *r);
}

static const char *
deny_entry (const struct mounts_state *s, size_t d)
{
  return d < s->deny.n ? s->deny.v[d] : s->deny_exact.v[d - s->deny.n];
}

static int
resolve_deny (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *r, secshim_error_t *err)
{
  size_t total = s->deny.n + s->deny_exact.n, d;
  struct strbuf text = { 0 };
  if (r->v != NULL || total == 0)
    return 0;
  r->v = xzalloc (total * sizeof *r->v);
  /* A deny entry secshim cannot resolve (EACCES below /var/lib/docker for
   * a user running `secshim check`) is compared as written: it still
   * denies, the resolved form only adds what its symlinks lead to.  The
   * paths go to one buffer (v holds offsets until it stops moving): a
   * policy denies about forty, and a malloc each was a tenth of this. */
  for (d = 0; d < total; d++)
    {
      size_t at = text.len;
      if (resolve_host_append (ctx->host, deny_entry (s, d), RESOLVE_MISSING_OK, &text) < 0)
        {
          cleanup_free char *clean = go_path_clean (deny_entry (s, d));
          text.len = at;
          strbuf_append (&text, clean, strlen (clean) + 1, 1024);
        }
      r->v[d] = (char *) (uintptr_t) at;
    }
  for (d = 0; d < total; d++)
    r->v[d] = text.buf + (uintptr_t) r->v[d];
  r->text = text.buf;
  r->n = total;
  return 0;
}

/* ---- engine-owned mounts ---- */

static const char *const owner_words[OWNER_KINDS] = {
  [OWNER_CONTAINER] = "container",
  [OWNER_SANDBOX] = "pod sandbox",
  [OWNER_POD] = "pod",
};

static size_t
tree_count (const struct mounts_state *s)
{
  return s->own_container.n + s->own_sandbox.n + s->own_pod.n;
}

/* The t-th owned tree as written, and whose id names its entries. */
static const char *
tree_entry (const struct mounts_state *s, size_t t, enum owner_kind *kind)
{
  if (t < s->own_container.n)
    {
      *kind = OWNER_CONTAINER;
      return s->own_container.v[t];
    }
  t -= s->own_container.n;
  if (t < s->own_sandbox.n)
    {
      *kind = OWNER_SANDBOX;
      return s->own_sandbox.v[t];
    }
  *kind = OWNER_POD;
  return s->own_pod.v[t - s->own_sandbox.n];
}

/* One path component as runc's container ids, CRI sandbox ids and pod
 * uids are spelled ([A-Za-z0-9_+.-], not "." or ".."): an annotation that
 * is not one cannot name a directory entry. */
static bool
is_id_component (const char *id)
{
  const char *p;
  if (id == NULL || id[0] == '\0' || strcmp (id, ".") == 0 || strcmp (id, "..") == 0 || strlen (id) > 255)
    return false;
  for (p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '+'
          || *p == '-' || *p == '.'))
      return false;
  return true;
}

static const char *
runc_root (const struct eval_ctx *ctx)
{
  return ctx->id && ctx->id->root ? ctx->id->root : "/run/runc"; /* runc's default */
}

/* An fd runc itself could have made: ours (runc runs as the same user as
 * secshim, which execs it) and not writable by group or others.  A state
 * directory anyone else could write, or a state.json another user wrote
 * (in a --root of the caller's choosing, say), proves nothing. */
static bool
made_by_runc (int fd)
{
  struct stat st;
  return fstat (fd, &st) == 0 && st.st_uid == geteuid () && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* runc's state of container `id` in `root` (root/id/state.json, written by
 * runc at create), or NULL when there is none runc could have written. */
static struct json_value *
read_state (const char *root, const char *id)
{
  cleanup_free char *dir = NULL, *bytes = NULL;
  cleanup_close int dfd = -1;
  struct json_value *state = NULL;
  secshim_error_t local = NULL;
  struct stat st;
  size_t len = 0;

  if (!is_id_component (id))
    return NULL;
  xasprintf (&dir, "%s/%s", root, id);
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0 || !made_by_runc (dfd))
    return NULL;
  if (file_read_at (dfd, "state.json", O_NOFOLLOW, FILE_REGULAR | FILE_TRUSTED, 16u << 20, &bytes, &len, &st) < 0
      || st.st_uid != geteuid ())
    return NULL;
  if (json_parse (bytes, len, NULL, &state, &local) < 0)
    {
      secshim_error_release (&local);
      return NULL;
    }
  return state;
}

/* Is the argv id live under one of the engines' runc roots (engineRoots)
 * other than this call's?  Then it is that engine's running container, and
 * a `runc create` with the same id in another root (where runc does not see
 * the duplicate) is someone else claiming its files. */
static const char *
live_elsewhere (const struct eval_ctx *ctx, const struct mounts_state *s, const char *id)
{
  cleanup_free char *have = NULL;
  size_t i;
  if (resolve_host (ctx->host, runc_root (ctx), RESOLVE_MISSING_OK, &have) < 0)
    have = go_path_clean (runc_root (ctx));
  for (i = 0; i < s->engine_roots.n; i++)
    {
      cleanup_free char *want = NULL, *path = NULL;
      struct stat st;
      if (resolve_host (ctx->host, s->engine_roots.v[i], RESOLVE_MISSING_OK, &want) < 0)
        want = go_path_clean (s->engine_roots.v[i]);
      if (strcmp (have, want) == 0)
        continue; /* runc itself refuses a duplicate there */
      xasprintf (&path, "%s/%s", want, id);
      if (lstat (path, &st) == 0 || errno != ENOENT)
        return s->engine_roots.v[i];
    }
  return NULL;
}

/* "key=value" in runc's state.json config.labels (runc's specconv stores
 * every annotation there, as "key=value", at create). */
static const char *
state_label (const struct json_value *state, const char *key)
{
  const struct json_value *labels = json_get_path (state, "config.labels");
  size_t i, lk = strlen (key);
  for (i = 0; json_is (labels, JSON_ARRAY) && i < labels->count; i++)
    {
      const char *l = json_string (labels->items[i]);
      if (l && strncmp (l, key, lk) == 0 && l[lk] == '=')
        return l + lk + 1;
    }
  return NULL;
}

/* Does this config join the network or ipc namespace of the live container
 * `id` (per its runc state in this call's root), by the /proc/<pid>/ns/...
 * path engines write for it (docker's --network/--ipc container:ID,
 * containerd's WithPodNamespaces for a pod's sandbox)?  Containers that
 * share those namespaces are one pod: the engine binds the other's
 * hostname, hosts, resolv.conf and /dev/shm into it. */
static bool
joins_namespaces_of (const struct eval_ctx *ctx, const struct json_value *state)
{
  const struct json_value *nss = json_get_path (ctx->doc, "linux.namespaces");
  cleanup_free char *net = NULL, *ipc = NULL;
  int64_t pid;
  size_t i;
  if (state == NULL || json_get_i64 (json_get (state, "init_process_pid"), &pid) < 0 || pid <= 0 || pid > INT32_MAX)
    return false;
  xasprintf (&net, "/proc/%lld/ns/net", (long long) pid);
  xasprintf (&ipc, "/proc/%lld/ns/ipc", (long long) pid);
  for (i = 0; json_is (nss, JSON_ARRAY) && i < nss->count; i++)
    {
      const char *type = json_string (json_get (nss->items[i], "type"));
      const char *p = json_string (json_get (nss->items[i], "path"));
      if ((str_equal (type, "network") && str_equal (p, net)) || (str_equal (type, "ipc") && str_equal (p, ipc)))
        return true;
    }
  return false;
}

/* Who this container is, from what the engine alone decides:
 *  - its runc id (`runc create <id>`): the engine picks it (docker's and
 *    containerd's ids are 64 random hex digits; a CRI sandbox's runc id is
 *    the sandbox id), runc refuses a duplicate in its root, and docker and
 *    the CRI plugin name the container's files by it.  Refused when that id
 *    is live under another engine root (live_elsewhere).
 *  - its pod uid, for kubelet's pods/<uid>/: containerd's
 *    io.kubernetes.cri.sandbox-id names the pod's sandbox; the claim is
 *    checked against the sandbox itself, not against the config: the
 *    container must join the sandbox's namespaces (joins_namespaces_of) and
 *    the uid is the one the sandbox was created with (its runc state's
 *    labels), so a config's own annotations cannot name another pod.
 * Anything missing or inconsistent owns nothing (fail closed). */
static void
find_owners (const struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *r)
{
  const char *cid = ctx->id ? ctx->id->container_id : NULL;
  const struct json_value *ann = json_get (ctx->doc, "annotations");
  const char *type = json_string (json_get (ann, "io.kubernetes.cri.container-type"));
  const char *sid = json_string (json_get (ann, "io.kubernetes.cri.sandbox-id"));
  cleanup_with (json_free) struct json_value *sandbox = NULL;
  const char *elsewhere, *uid;

  r->self = NULL;
  if (!is_id_component (cid))
    r->no_self = xstrdup ("the container id is unknown (secshim check: give the engine's --id and --root)");
  else if ((elsewhere = live_elsewhere (ctx, s, cid)) != NULL)
    xasprintf (&r->no_self, "container %.80s is live under the engine's runc root %.200s, not this one", cid,
               elsewhere);
  else
    r->self = cid;

  if (sid == NULL)
    r->no_pod = xstrdup ("the config names no pod sandbox (io.kubernetes.cri.sandbox-id)");
  else if (!str_equal (type, "container"))
    r->no_pod = xstrdup ("only a pod's workload container binds its pod's files, and this is none");
  else if (!is_id_component (sid) || str_equal (sid, cid))
    r->no_pod = xstrdup ("io.kubernetes.cri.sandbox-id does not name another container");
  else if ((sandbox = read_state (runc_root (ctx), sid)) == NULL)
    r->no_pod = xstrdup ("its sandbox (io.kubernetes.cri.sandbox-id) is not a live container in this runc root");
  else if (!str_equal (state_label (sandbox, "io.kubernetes.cri.container-type"), "sandbox")
           || !str_equal (state_label (sandbox, "io.kubernetes.cri.sandbox-id"), sid))
    r->no_pod = xstrdup ("the container io.kubernetes.cri.sandbox-id names is not that pod sandbox");
  else if (!joins_namespaces_of (ctx, sandbox))
    r->no_pod = xstrdup ("it joins neither the network nor the ipc namespace of the sandbox it names");
  else if (!is_id_component (uid = state_label (sandbox, "io.kubernetes.cri.sandbox-uid")))
    r->no_pod = xstrdup ("its sandbox was created without a pod uid (io.kubernetes.cri.sandbox-uid)");
  else
    r->pod_uid = xstrdup (uid);
}

static void
resolve_trees (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *r)
{
  size_t total = tree_count (s);
  enum owner_kind k;
  if (r->trees != NULL || total == 0)
    return;
  r->trees = xzalloc (total * sizeof *r->trees);
  r->clean_trees = xzalloc (total * sizeof *r->clean_trees);
  for (r->ntrees = 0; r->ntrees < total; r->ntrees++)
    {
      const char *written = tree_entry (s, r->ntrees, &k);
      r->clean_trees[r->ntrees] = go_path_clean (written);
      if (resolve_host (ctx->host, written, RESOLVE_MISSING_OK, &r->trees[r->ntrees]) < 0)
        r->trees[r->ntrees] = xstrdup (r->clean_trees[r->ntrees]);
    }
  find_owners (ctx, s, r);
}

enum ownership
{
  NOT_IN_A_TREE, /* judged by the deny lists alone */
  OWN,           /* inside this container's own entry (or its pod's) */
  OTHERS,        /* inside another container's (or an unknown owner's) entry */
  WHOLE_TREE,    /* the tree itself or one of its ancestors */
};

struct owned_verdict
{
  enum ownership what;
  enum owner_kind kind;
  const char *tree; /* as written in the policy */
  char *entry;      /* OTHERS: the entry's name (malloc'd) */
};

/* Is `entry` of a tree of kind k this container's? */
static bool
owns_entry (const struct eval_ctx *ctx, const struct resolved_deny *r, enum owner_kind k, const char *entry)
{
  cleanup_with (json_free) struct json_value *other = NULL;
  if (k == OWNER_POD)
    return r->pod_uid != NULL && strcmp (entry, r->pod_uid) == 0;
  if (r->self == NULL)
    return false;
  if (strcmp (entry, r->self) == 0)
    return true;
  /* A container it shares its network or ipc namespace with (its pod's
   * sandbox, docker's --network container:ID) is of the same pod. */
  other = read_state (runc_root (ctx), entry);
  return joins_namespaces_of (ctx, other);
}

/* host (physical) against tree (physical, or as written). */
static enum ownership
ownership_in (const struct eval_ctx *ctx, const struct resolved_deny *r, enum owner_kind k, const char *host,
              const char *tree, char **entry_out)
{
  size_t lt = strlen (tree);
  const char *entry, *end;
  cleanup_free char *name = NULL;
  if (contains (host, tree))
    return WHOLE_TREE;
  if (!contains (tree, host))
    return NOT_IN_A_TREE;
  entry = host + (strcmp (tree, "/") == 0 ? 1 : lt + 1); /* host is strictly below tree */
  end = strchr (entry, '/');
  name = end ? xstrndup (entry, (size_t) (end - entry)) : xstrdup (entry);
  if (owns_entry (ctx, r, k, name))
    return OWN;
  free (*entry_out);
  *entry_out = name;
  name = NULL;
  return OTHERS;
}

/* Whose is the physical host path a bind reaches?  Every tree is looked at,
 * resolved and as written, and the worst answer wins (a path is OWN only
 * when no tree says otherwise). */
static struct owned_verdict
ownership_of (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *r, const char *host)
{
  struct owned_verdict v = { NOT_IN_A_TREE, OWNER_CONTAINER, NULL, NULL };
  size_t t;
  resolve_trees (ctx, s, r);
  for (t = 0; t < r->ntrees; t++)
    {
      enum owner_kind k;
      const char *written = tree_entry (s, t, &k);
      char *ea = NULL, *eb = NULL;
      enum ownership a = ownership_in (ctx, r, k, host, r->trees[t], &ea);
      enum ownership b = ownership_in (ctx, r, k, host, r->clean_trees[t], &eb);
      enum ownership w = a > b ? a : b;
      if (w > v.what)
        {
          v.what = w;
          v.kind = k;
          v.tree = written;
          free (v.entry);
          v.entry = a >= b ? ea : eb;
          if (v.entry == ea)
            ea = NULL;
          else
            eb = NULL;
        }
      free (ea);
      free (eb);
    }
  return v;
}

static const char *const owner_keys[OWNER_KINDS] = {
  [OWNER_CONTAINER] = "ownContainerDirs",
  [OWNER_SANDBOX] = "ownSandboxDirs",
  [OWNER_POD] = "ownPodDirs",
};

/* Report a bind into a per-container tree that is not this container's.
 * The words after "is denied: " are what refusal.c shows the user. */
static void
report_not_owned (struct eval_ctx *ctx, const struct resolved_deny *r, const char *field, const struct json_value *m,
                  const struct json_value *value, const char *what, const char *host, const struct owned_verdict *v)
{
  const char *dest = json_string (json_get (m, "destination")) ?: "?";
  const char *w = owner_words[v->kind];
  const char *mine = v->kind == OWNER_POD ? r->pod_uid : r->self;
  const char *why = v->kind == OWNER_POD ? r->no_pod : r->no_self;
  if (v->what == WHOLE_TREE)
    eval_report (ctx, field, value, NULL,
                 "%s of host path %s (into %s) is denied: it holds every %s's files (%s, rules.mounts.%s); a %s may "
                 "bind only its own entry there",
                 what, host, dest, w, v->tree, owner_keys[v->kind], w);
  else if (mine == NULL)
    eval_report (ctx, field, value, NULL,
                 "%s of host path %s (into %s) is denied: it belongs to a %s (%.80s, below %s, rules.mounts.%s) and "
                 "this container's own cannot be told: %s",
                 what, host, dest, w, v->entry ?: "?", v->tree, owner_keys[v->kind], why ?: "no owner");
  else
    eval_report (ctx, field, value, NULL,
                 "%s of host path %s (into %s) is denied: it belongs to another %s (%.80s, below %s, "
                 "rules.mounts.%s), not to this one (%.80s) nor to one whose namespaces it joins",
                 what, host, dest, w, v->entry ?: "?", v->tree, owner_keys[v->kind], mine);
}

/* runc's read-only flag after all options, in order ("ro" sets
 * MS_RDONLY, "rw" clears it: specconv parseMountOptions). */
static bool
mount_is_readonly (const struct json_value *m)
{
  const struct json_value *opts = json_get (m, "options");
  bool ro = false;
  size_t i;
  for (i = 0; json_is (opts, JSON_ARRAY) && i < opts->count; i++)
    {
      const char *o = json_string (opts->items[i]);
      if (str_equal (o, "ro"))
        ro = true;
      else if (str_equal (o, "rw"))
        ro = false;
    }
  return ro;
}

/* The engine's init, by identity: the file runc will bind (host, the
 * physical source) is one of engineInit, by (st_dev, st_ino) in runc's
 * mount namespace, bound read-only exactly at docker's /sbin/docker-init.
 * A lookalike (another file named docker-init, a copy, a writable bind,
 * another destination) is judged by the deny lists like any bind. */
static bool
is_engine_init (struct eval_ctx *ctx, const struct mounts_state *s, const struct json_value *m, const char *host)
{
  const char *dest = json_string (json_get (m, "destination"));
  cleanup_free char *clean = NULL;
  struct host_file_id have, want;
  secshim_error_t local = NULL;
  size_t i;

  if (s->engine_init.n == 0 || dest == NULL || ctx->host->file_identity == NULL || !mount_is_readonly (m))
    return false;
  clean = go_path_clean (dest);
  if (strcmp (clean, ENGINE_INIT_DESTINATION) != 0)
    return false;
  if (ctx->host->file_identity (ctx->host, host, &have, &local) < 0)
    {
      secshim_error_release (&local);
      return false;
    }
  for (i = 0; i < s->engine_init.n; i++)
    {
      if (ctx->host->file_identity (ctx->host, s->engine_init.v[i], &want, &local) < 0)
        {
          secshim_error_release (&local); /* not installed there */
          continue;
        }
      if (host_file_id_equal (&have, &want))
        return true;
    }
  return false;
}

static const char *
errno_text (int rc)
{
  return strerror (-rc);
}

static int report_denied (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved,
                          const char *field, const struct json_value *m, const struct json_value *value,
                          const char *what, const char *host, secshim_error_t *err);

/* The host path a bind mount reaches (`host`, physical, from resolve.h)
 * against the deny lists.  The single place every host path of a mount is
 * judged: bind sources, overlay's lowerdir/upperdir/workdir, block device
 * sources.  Engine-owned mounts (a container's own sandbox files) are
 * judged here, before the deny check. */
static int
judge_host_path (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, const char *field,
                 const struct json_value *m, const struct json_value *value, const char *what, const char *host,
                 secshim_error_t *err)
{
  unsigned long magic = 0;
  struct owned_verdict owned;
  cleanup_free char *entry = NULL; /* owned.entry */
  int rc;

  if (resolve_deny (ctx, s, resolved, err) < 0)
    return -1;
  /* The container's own files pass the deny lists (/run/containerd holds
   * its sandbox's /dev/shm); another's entry is refused for whose it is;
   * everything else meets the deny lists first, so that a path denied
   * outright (a tree, its ancestors) says so. */
  owned = ownership_of (ctx, s, resolved, host);
  entry = owned.entry;
  if (owned.what == OTHERS)
    {
      /* Another's entry: say whose, not only that the tree is denied. */
      report_not_owned (ctx, resolved, field, m, value, what, host, &owned);
      return 0;
    }
  if (owned.what != OWN)
    {
      rc = report_denied (ctx, s, resolved, field, m, value, what, host, err);
      if (rc != 0)
        return rc < 0 ? -1 : 0;
      if (owned.what != NOT_IN_A_TREE)
        {
          report_not_owned (ctx, resolved, field, m, value, what, host, &owned);
          return 0;
        }
    }
  /* A procfs or sysfs mounted anywhere on the host is the kernel's, not a
   * directory: binding it escapes maskedPaths and readonlyPaths. */
  rc = resolve_fs_type (ctx->host, host, &magic);
  if (rc < 0)
    {
      eval_report (ctx, field, value, NULL, "%s source %s: cannot tell its filesystem (%s): refused", what, host,
                   errno_text (rc));
      return 0;
    }
  if (resolve_magic_is_kernel_fs (magic))
    eval_report (ctx, field, value, NULL,
                 "%s of host path %s (into %s) is denied: it is on a kernel filesystem (proc, sysfs, cgroup, ...)",
                 what, host, json_string (json_get (m, "destination")) ?: "?");
  return 0;
}

/* Report host against the deny lists: 1 when reported, 0 when it is not
 * denied, -1 on error. */
static int
report_denied (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, const char *field,
               const struct json_value *m, const struct json_value *value, const char *what, const char *host,
               secshim_error_t *err)
{
  size_t d;
  if (resolve_deny (ctx, s, resolved, err) < 0)
    return -1;
  for (d = 0; d < resolved->n; d++)
    {
      bool tree = d < s->deny.n;
      const char *entry = deny_entry (s, d);
      const char *deny = resolved->v[d];
      /* Compare with the entry as written and as the host resolves it. */
      if (!exposes (host, deny, tree) && !exposes (host, entry, tree))
        continue;
      eval_report (ctx, field, value, NULL, "%s of host path %s (into %s) is denied: %s %s", what, host,
                   json_string (json_get (m, "destination")) ?: "?",
                   strcmp (host, deny) == 0 ? "it is"
                   : contains (host, deny)  ? "it contains"
                                            : "it is inside",
                   entry);
      return 1;
    }
  return 0;
}

/* "mounts[<i>].<key>", the JSON path a finding names, into buf
 * (MOUNT_FIELD_MAX bytes): built for every mount whether or not a finding
 * is recorded, so without printf or malloc. */
#define MOUNT_FIELD_MAX 64

static void
mount_field (char *buf, size_t i, const char *key)
{
  char digits[24];
  size_t n = 0, len = sizeof "mounts[" - 1;
  do
    digits[n++] = (char) ('0' + i % 10);
  while ((i /= 10) != 0);
  memcpy (buf, "mounts[", len);
  while (n > 0)
    buf[len++] = digits[--n];
  buf[len++] = ']';
  buf[len++] = '.';
  memcpy (buf + len, key, strlen (key) + 1); /* the keys are short literals */
}

/* A bind mount's source as runc resolves it (view.h), failing closed: a
 * source secshim cannot resolve is refused, as runc's os.Stat would fail on
 * it too. */
static int
check_bind_source (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, size_t i,
                   const struct json_value *m, const struct mount_view *mv, secshim_error_t *err)
{
  char field[MOUNT_FIELD_MAX];
  const struct json_value *src = json_get (m, "source");
  const char *source = json_string (src);
  struct stat st;

  mount_field (field, i, "source");
  if (source == NULL || source[0] == '\0')
    {
      eval_report (ctx, field, src, NULL, "bind mount into %s has no source",
                   json_string (json_get (m, "destination")) ?: "?");
      return 0;
    }
  if (mv->host_err == -EINVAL && source[0] != '/')
    {
      eval_report (ctx, field, src, NULL, "relative bind source `%s` and no bundle to resolve it against", source);
      return 0;
    }
  if (mv->host_err < 0)
    {
      /* Named as written, it may already be denied: say so rather than
       * that it is missing. */
      cleanup_free char *lexical = go_path_clean (mv->joined ? mv->joined : source);
      int denied = report_denied (ctx, s, resolved, field, m, src, "bind mount", lexical, err);
      if (denied != 0)
        return denied < 0 ? -1 : 0;
      eval_report (ctx, field, src, NULL,
                   "bind mount source %s cannot be resolved on the host (%s): refused, runc could not mount it either",
                   mv->joined ? mv->joined : source, errno_text (mv->host_err));
      return 0;
    }
  if (ctx->host->sys_stat && ctx->host->sys_stat (ctx->host, mv->host, &st) == 0 && S_ISBLK (st.st_mode))
    {
      eval_report (ctx, field, src, NULL, "bind mount of block device %s (into %s) is denied", mv->host,
                   json_string (json_get (m, "destination")) ?: "?");
      return 0;
    }
  if (is_engine_init (ctx, s, m, mv->host))
    return 0;
  return judge_host_path (ctx, s, resolved, field, m, src, "bind mount", mv->host, err);
}

/* One overlay directory (escapes removed) as the kernel resolves it: runc
 * mounts with its cwd in the rootfs, so a relative one is taken from there. */
static int
check_overlay_dir (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved,
                   const char *field, const struct json_value *m, const struct config_view *cv, const char *dir,
                   secshim_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *host = NULL;
  const struct json_value *opts = json_get (m, "options");
  int rc;
  if (dir[0] == '\0')
    return 0;
  if (dir[0] != '/')
    {
      if (cv->rootfs == NULL)
        {
          eval_report (ctx, field, opts, NULL, "overlay directory `%s` is relative and the rootfs is unknown", dir);
          return 0;
        }
      xasprintf (&path, "%s/%s", cv->rootfs, dir);
    }
  else
    path = xstrdup (dir);
  rc = resolve_host (ctx->host, path, 0, &host);
  if (rc < 0)
    {
      cleanup_free char *lexical = go_path_clean (path);
      int denied = report_denied (ctx, s, resolved, field, m, opts, "overlay layer", lexical, err);
      if (denied != 0)
        return denied < 0 ? -1 : 0;
      eval_report (ctx, field, opts, NULL, "overlay directory %s cannot be resolved on the host (%s): refused", path,
                   errno_text (rc));
      return 0;
    }
  return judge_host_path (ctx, s, resolved, field, m, opts, "overlay layer", host, err);
}

static int
check_overlay (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, size_t i,
               const struct json_value *m, const struct config_view *cv, secshim_error_t *err)
{
  char field[MOUNT_FIELD_MAX];
  struct overlay_dirs d;
  size_t k;
  int ret = 0;

  mount_field (field, i, "options");
  overlay_dirs_parse (m, &d);
  for (k = 0; k < d.n && ret == 0; k++)
    ret = check_overlay_dir (ctx, s, resolved, field, m, cv, d.v[k].dir, err);
  overlay_dirs_free (&d);
  return ret;
}

/* The built-in allowlist; the policy adds to it with allowTypes. */
static bool
type_allowed (const struct mounts_state *s, const char *type)
{
  static const char *const builtin[]
      = { "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2", "proc", "sysfs", "overlay", "bind" };
  size_t i;
  if (type == NULL)
    return false;
  for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
    if (strcmp (type, builtin[i]) == 0)
      return true;
  for (i = 0; i < s->allow_types.n; i++)
    if (strcmp (type, s->allow_types.v[i]) == 0)
      return true;
  return false;
}

static bool
policy_allows_type (const struct mounts_state *s, const char *type)
{
  size_t i;
  for (i = 0; type && i < s->allow_types.n; i++)
    if (strcmp (type, s->allow_types.v[i]) == 0)
      return true;
  return false;
}

/* Everything but bind mounts: the type allowlist and its constraints. */
static int
check_type (struct eval_ctx *ctx, const struct mounts_state *s, struct resolved_deny *resolved, size_t i,
            const struct json_value *m, const struct config_view *cv, secshim_error_t *err)
{
  const char *type = json_string (json_get (m, "type"));
  const char *landed = cv->m[i].landed;
  char field[MOUNT_FIELD_MAX];

  if (!type_allowed (s, type))
    {
      mount_field (field, i, "type");
      eval_report (ctx, field, json_get (m, "type"), NULL,
                   "mount type `%s` (into %s) is not allowed: only bind, tmpfs, devpts, mqueue, cgroup, cgroup2, "
                   "proc on /proc, sysfs on /sys and overlay, or a type the policy names in allowTypes",
                   type ? type : "", json_string (json_get (m, "destination")) ?: "?");
      return 0;
    }
  if (policy_allows_type (s, type))
    return 0; /* the administrator's choice, as written */
  if (landed != NULL
      && ((str_equal (type, "proc") && strcmp (landed, "/proc") != 0)
          || (str_equal (type, "sysfs") && strcmp (landed, "/sys") != 0)))
    {
      mount_field (field, i, "destination");
      eval_report (ctx, field, json_get (m, "destination"), NULL,
                   "%s mounted at %s: only at %s, where maskedPaths and readonlyPaths apply", type, landed,
                   str_equal (type, "proc") ? "/proc" : "/sys");
      return 0;
    }
  if (str_equal (type, "overlay"))
    return check_overlay (ctx, s, resolved, i, m, cv, err);
  return 0;
}

static bool
is_shared (const char *propagation)
{
  return str_equal (propagation, "shared") || str_equal (propagation, "rshared");
}

static void
check_propagation (struct eval_ctx *ctx, size_t i, const struct json_value *m)
{
  const struct json_value *opts = json_get (m, "options");
  char path[MOUNT_FIELD_MAX];
  if (!json_array_has_string (opts, "shared") && !json_array_has_string (opts, "rshared"))
    return;
  mount_field (path, i, "options");
  eval_report (ctx, path, opts, NULL, "mount %s has shared propagation: its mounts would reach the host",
               json_string (json_get (m, "destination")) ?: "?");
}

static void
check_kernel_fs_readonly (struct eval_ctx *ctx, size_t i, const struct json_value *m)
{
  const char *type = json_string (json_get (m, "type"));
  char path[MOUNT_FIELD_MAX];
  if (!str_equal (type, "sysfs") && !str_equal (type, "cgroup") && !str_equal (type, "cgroup2"))
    return;
  if (json_array_has_string (json_get (m, "options"), "ro"))
    return;
  mount_field (path, i, "options");
  eval_report (ctx, path, json_get (m, "options"), NULL, "%s mount at %s is writable: it must be \"ro\"", type,
               json_string (json_get (m, "destination")) ?: "?");
}

/* The standard kernel filesystem mounts, the only ones allowed at or under
 * /proc and /sys. */
static bool
is_standard_kernel_mount (const char *dest, const char *type)
{
  return (str_equal (dest, "/proc") && str_equal (type, "proc"))
         || (str_equal (dest, "/sys") && str_equal (type, "sysfs"))
         || (str_equal (dest, "/sys/fs/cgroup")
             && (str_equal (type, "cgroup") || str_equal (type, "cgroup2") || str_equal (type, "tmpfs")));
}

static void
check_destination (struct eval_ctx *ctx, size_t i, const struct json_value *m, const struct mount_view *mv)
{
  const char *type = json_string (json_get (m, "type"));
  char path[MOUNT_FIELD_MAX];

  if (json_get (m, "destination") == NULL && !mv->bind)
    return;
  mount_field (path, i, "destination");
  if (mv->dest_err < 0)
    {
      eval_report (ctx, path, json_get (m, "destination"), NULL,
                   mv->dest_err == -EINVAL ? "mount has no destination%s"
                                           : "mount destination cannot be resolved in the rootfs (%s): refused",
                   mv->dest_err == -EINVAL ? "" : errno_text (mv->dest_err));
      return;
    }
  /* Where runc's securejoin lands it, over the rootfs and the mounts
   * before it (a symlink in the rootfs to /proc/sys lands there). */
  if (!mv->bind && is_standard_kernel_mount (mv->landed, type))
    return;
  if (!contains ("/proc", mv->landed) && !contains ("/sys", mv->landed))
    {
      if (mv->dest_in_kernel)
        eval_report (ctx, path, json_get (m, "destination"), NULL,
                     "mount destination lands on %s, inside a kernel filesystem mounted before it", mv->landed);
      return;
    }
  eval_report (ctx, path, json_get (m, "destination"), NULL,
               "mount destination %s is under /proc or /sys: only the standard proc, sysfs and cgroup mounts may be "
               "there",
               mv->landed);
}

static int
check_mounts (struct eval_ctx *ctx, const void *state, secshim_error_t *err)
{
  const struct mounts_state *s = state;
  const struct json_value *mounts = json_get (ctx->doc, "mounts");
  const struct json_value *rootprop = json_get_path (ctx->doc, "linux.rootfsPropagation");
  struct resolved_deny resolved = { 0 };
  const struct config_view *cv;
  size_t i;

  if (is_shared (json_string (rootprop)))
    eval_report (ctx, "linux.rootfsPropagation", rootprop, NULL,
                 "rootfs propagation %s would let the container's mounts reach the host", json_string (rootprop));
  if (!json_is (mounts, JSON_ARRAY))
    return 0;
  cv = config_view_shared (ctx);
  for (i = 0; i < mounts->count; i++)
    {
      const struct json_value *m = mounts->items[i];
      const struct mount_view *mv = &cv->m[i];
      int rc;
      /* The apparmor rule's own read-only bind of the Landlock helper. */
      if (ll_is_helper_mount (m, ctx->host->landlock_helper))
        continue;
      rc = mv->bind ? check_bind_source (ctx, s, &resolved, i, m, mv, err)
                    : check_type (ctx, s, &resolved, i, m, cv, err);
      if (rc < 0)
        {
          resolved_deny_free (&resolved);
          return -1;
        }
      check_destination (ctx, i, m, mv);
      check_propagation (ctx, i, m);
      check_kernel_fs_readonly (ctx, i, m);
    }
  resolved_deny_free (&resolved);
  return 0;
}

static void
pack_mounts (struct pack *k, void **state)
{
  struct mounts_state *s = pack_state (k, state, sizeof *s);
  pack_strv (k, &s->deny);
  pack_strv (k, &s->deny_exact);
  pack_strv (k, &s->allow_types);
  pack_strv (k, &s->own_container);
  pack_strv (k, &s->own_sandbox);
  pack_strv (k, &s->own_pod);
  pack_strv (k, &s->engine_init);
  pack_strv (k, &s->engine_roots);
}

const struct rule_ops rule_mounts = {
  .name = "mounts",
  .actions = ACTION_REJECT | ACTION_AUDIT | ACTION_WARN,
  .doc_kinds = DOC_CONFIG,
  .load = load_mounts,
  .free_state = free_mounts,
  .pack = pack_mounts,
  .check = check_mounts,
};
