/* The user-facing refusal message (src/policy/refusal.c): the size cap with
 * many and long findings, --privileged folding its devices, the engine's
 * words for each engine, and the engine detection on real fixtures. */
#include <stdlib.h>
#include <string.h>

#include "secshim/json.h"
#include "secshim/refusal.h"
#include "secshim/file.h"
#include "secshim/util.h"
#include "tap-json.h"
#include "tap.h"

static void
add (struct findings *f, const char *rule, const char *path, enum action a, const char *msg, const char *before)
{
  struct finding *fd;
  if (f->n == f->cap)
    {
      f->cap = f->cap ? f->cap * 2 : 16;
      f->v = xreallocarray (f->v, f->cap, sizeof *f->v);
    }
  fd = &f->v[f->n++];
  memset (fd, 0, sizeof *fd);
  fd->rule = rule;
  fd->path = xstrdup (path);
  fd->action = a;
  fd->message = xstrdup (msg);
  fd->before = before ? xstrdup (before) : NULL;
}

static struct json_value *
fixture (const char *name)
{
  const char *d = getenv ("SECSHIM_FIXTURES");
  char *path = NULL;
  struct json_value *v;
  xasprintf (&path, "%s/%s", d ? d : "tests/fixtures", name);
  v = tap_json_file (path);
  free (path);
  return v;
}

static size_t
count (const char *hay, const char *needle)
{
  size_t n = 0;
  const char *p = hay;
  while ((p = strstr (p, needle)) != NULL)
    {
      n++;
      p += strlen (needle);
    }
  return n;
}

int
main (void)
{
  struct findings f = { 0 };
  char *msg, *c;
  size_t i;
  struct json_value *doc;
  char big[5000];

  /* --privileged as dockerd writes it: one clause, not one per device. */
  add (&f, "privileged", "linux", ACTION_REJECT,
       "container looks privileged, 6 signs: CAP_SYS_ADMIN among 38 capabilities in process.capabilities.bounding "
       "(capabilities); no seccomp profile: linux.seccomp absent (seccomp); linux.resources.devices[0] allows every "
       "device (devices); no masked paths: linux.maskedPaths empty (maskedPaths)",
       NULL);
  add (&f, "mounts", "mounts[3].options", ACTION_REJECT, "sysfs mount at /sys is writable: it must be \"ro\"", NULL);
  for (i = 0; i < 95; i++)
    {
      char m[128], p[64];
      snprintf (m, sizeof m, "device /dev/loop%zu (b 7:%zu) is not in the allowlist", i, i);
      snprintf (p, sizeof p, "linux.devices[%zu]", i);
      add (&f, "devices", p, ACTION_REJECT, m, NULL);
    }
  msg = refusal_message (&f, NULL, ENGINE_DOCKER, "/etc/secshim/default.json");
  TAP_CHECK (str_has_prefix (msg, "privileged: --privileged is refused: "), "--privileged leads: %s", msg);
  TAP_CHECK (strstr (msg, "/dev/loop") == NULL, "--privileged: no clause per device");
  TAP_CHECK (strstr (msg, "more") == NULL, "--privileged: its own devices and mounts are not counted as more");
  TAP_CHECK (strlen (msg) + strlen ("secshim: ") < REFUSAL_MAX_BYTES, "--privileged: %zu bytes", strlen (msg));
  free (msg);
  msg = refusal_message (&f, NULL, ENGINE_CRI, "/etc/secshim/default.json");
  TAP_CHECK (str_has_prefix (msg, "privileged: securityContext.privileged: true is refused"), "CRI words: %s", msg);
  free (msg);
  findings_free (&f);

  /* cgroupsPath: --cgroup-parent for docker and podman, the kubelet's
   * cgroup root for CRI, the field itself otherwise; the cap holds for a
   * long path. */
  memset (big, 'a', 3000);
  big[3000] = '\0';
  {
    char *m = NULL;
    xasprintf (&m, "cgroupsPath \"/../%s\" is /%s to runc: outside the container's parents", big, big);
    add (&f, "cgroups", "linux.cgroupsPath", ACTION_REJECT, m, NULL);
    free (m);
  }
  msg = refusal_message (&f, NULL, ENGINE_DOCKER, "/p.json");
  TAP_CHECK (str_has_prefix (msg, "cgroups: --cgroup-parent is refused: cgroupsPath"), "cgroups docker words: %.80s",
             msg);
  TAP_CHECK (strlen (msg) + strlen ("secshim: ") < REFUSAL_MAX_BYTES, "cgroups: %zu bytes", strlen (msg));
  free (msg);
  msg = refusal_message (&f, NULL, ENGINE_CRI, "/p.json");
  TAP_CHECK (str_has_prefix (msg, "cgroups: the pod's cgroup parent (kubelet --cgroup-root) is refused"),
             "cgroups CRI words: %.80s", msg);
  free (msg);
  msg = refusal_message (&f, NULL, ENGINE_OCI, "/p.json");
  TAP_CHECK (str_has_prefix (msg, "cgroups: linux.cgroupsPath is refused"), "cgroups OCI words: %.80s", msg);
  free (msg);
  findings_free (&f);

  /* Devices alone fold into one clause. */
  for (i = 0; i < 40; i++)
    {
      char m[128], p[64];
      snprintf (m, sizeof m, "device /dev/loop%zu (b 7:%zu) is not in the allowlist", i, i);
      snprintf (p, sizeof p, "linux.devices[%zu]", i);
      add (&f, "devices", p, ACTION_REJECT, m, NULL);
    }
  msg = refusal_message (&f, NULL, ENGINE_PODMAN, "/p.json");
  TAP_CHECK (strcmp (msg, "devices: --device /dev/loop0, --device /dev/loop1 and 38 other devices are refused: not in "
                          "rules.devices.allow; drop them, or add their numbers there (policy /p.json; details: "
                          "secshim check / audit log)")
                 == 0,
             "devices fold: %s", msg);
  free (msg);
  findings_free (&f);

  /* Many long findings of different rules: the cap holds. */
  memset (big, 'a', sizeof big - 1);
  big[0] = '/';
  big[sizeof big - 1] = 0;
  for (i = 0; i < 200; i++)
    add (&f, i % 2 ? "sysctls" : "hooks", "x", ACTION_REJECT, big, NULL);
  add (&f, "mounts", "mounts[0].source", ACTION_REJECT, "bind mount of host path ... is denied: it is inside /dev",
       big);
  msg = refusal_message (&f, NULL, ENGINE_DOCKER, big);
  TAP_CHECK (strlen (msg) + strlen ("secshim: ") < REFUSAL_MAX_BYTES, "201 long findings: %zu bytes", strlen (msg));
  TAP_CHECK (str_has_prefix (msg, "mounts: -v /aaa"), "the mount leads the hooks and sysctls");
  TAP_CHECK (strstr (msg, "; and 200 more (secshim check / audit log)") != NULL, "and N more counts the others: %s",
             msg + strlen (msg) - 60);
  TAP_CHECK (count (msg, "\n") == 0, "one line");
  free (msg);
  findings_free (&f);

  /* Exempted and non-reject findings are not reasons. */
  add (&f, "user", "process.user.uid", ACTION_REWRITE, "uid 0 (root) rewritten to 65534", NULL);
  f.v[0].after = xstrdup ("65534");
  add (&f, "namespaces", "linux.namespaces", ACTION_REJECT,
       "no pid namespace: the container would share the host's (e.g. --pid host)", NULL);
  f.v[1].exempted = true;
  add (&f, "namespaces", "linux.namespaces", ACTION_REJECT,
       "network namespace path /proc/1/ns/net is the host's network namespace", NULL);
  msg = refusal_message (&f, NULL, ENGINE_CRI, "/p.json");
  TAP_CHECK (str_has_prefix (msg, "namespaces: hostNetwork: true is refused"), "CRI hostNetwork: %s", msg);
  free (msg);
  /* A hostNetwork sandbox has neither a network nor a uts namespace: one
     pod field, said once. */
  add (&f, "namespaces", "linux.namespaces", ACTION_REJECT,
       "no uts namespace: the container would share the host's (e.g. --uts host)", NULL);
  msg = refusal_message (&f, NULL, ENGINE_CRI, "/p.json");
  TAP_CHECK (str_has_prefix (msg, "namespaces: hostNetwork: true is refused: the container would share the host's "
                                  "namespace;")
                 && count (msg, "hostNetwork") == 1,
             "CRI network + uts: hostNetwork once: %s", msg);
  free (msg);
  c = refusal_clause (&f.v[0], NULL, ENGINE_DOCKER);
  TAP_CHECK (strstr (c, "runs as uid 65534 instead of root") && strstr (c, "-u UID:GID"), "rewrite clause: %s", c);
  free (c);
  findings_free (&f);

  /* --ipc host: docker's /dev/shm bind is part of it. */
  doc = tap_json ("{\"mounts\":[{\"source\":\"/dev/shm\",\"destination\":\"/dev/shm\",\"type\":\"bind\"}]}");
  add (&f, "mounts", "mounts[0].source", ACTION_REJECT,
       "bind mount of host path /dev/shm (into /dev/shm) is denied: it is inside /dev", "\"/dev/shm\"");
  add (&f, "namespaces", "linux.namespaces", ACTION_REJECT,
       "no ipc namespace: the container would share the host's (e.g. --ipc host)", NULL);
  msg = refusal_message (&f, doc, ENGINE_DOCKER, "/p.json");
  TAP_CHECK (str_has_prefix (msg, "namespaces: --ipc host is refused") && strstr (msg, "more") == NULL,
             "--ipc host leads, /dev/shm folded: %s", msg);
  free (msg);
  findings_free (&f);
  json_free (doc);

  /* Engine-owned mounts: another pod's volume, in the pod's words, under 1 KiB. */
  doc = tap_json ("{\"mounts\":[{\"source\":\"/var/lib/kubelet/pods/9e8d/volumes/v\",\"destination\":\"/data\","
                  "\"type\":\"bind\"}]}");
  add (&f, "mounts", "mounts[0].source", ACTION_REJECT,
       "bind mount of host path /var/lib/kubelet/pods/9e8d/volumes/v (into /data) is denied: it belongs to another pod "
       "(9e8d, below /var/lib/kubelet/pods, rules.mounts.ownPodDirs), not to this one (3f0c) nor to one whose "
       "namespaces it joins",
       "\"/var/lib/kubelet/pods/9e8d/volumes/v\"");
  msg = refusal_message (&f, doc, ENGINE_CRI, "/p.json");
  TAP_CHECK (str_has_prefix (msg,
                             "mounts: hostPath volume /var/lib/kubelet/pods/9e8d/volumes/v (mountPath /data) is "
                             "refused: host path /var/lib/kubelet/pods/9e8d/volumes/v belongs to another pod (9e8d")
                 && strstr (msg, "rules.mounts.ownPodDirs") && strlen (msg) <= 1024,
             "another pod's volume: %s", msg);
  free (msg);
  findings_free (&f);
  json_free (doc);

  /* Engines, from the fixtures the real engines wrote. */
  doc = fixture ("docker-20.10/default.config.json");
  TAP_CHECK (refusal_engine (doc, NULL, NULL) == ENGINE_DOCKER, "docker 20.10 config: docker");
  json_free (doc);
  doc = fixture ("podman-4.3/podman-default.config.json");
  TAP_CHECK (refusal_engine (doc, NULL, NULL) == ENGINE_PODMAN, "podman 4.3 config: podman");
  json_free (doc);
  doc = tap_json ("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\"}}");
  TAP_CHECK (refusal_engine (doc, NULL, NULL) == ENGINE_CRI, "containerd CRI annotations: cri");
  json_free (doc);
  TAP_CHECK (refusal_engine (NULL, "/run/docker/runtime-runc/moby", NULL) == ENGINE_DOCKER,
             "exec under docker's runc root: docker");
  TAP_CHECK (refusal_engine (NULL, NULL, "/tmp/x") == ENGINE_OCI, "nothing known: OCI words");
  return tap_done ();
}
