/* The config view shared within one evaluation (src/rules/view.h,
 * config_view_shared): asked twice about the same document it is built
 * once; after any change to what it was built from, it is built again and
 * shows the change.  A lexical host (no lstat), so every path exists. */
#include <stdlib.h>
#include <string.h>

#include "../../src/rules/view.h"
#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/util.h"
#include "tap.h"

static struct json_value *
parse (const char *text)
{
  struct json_value *v = NULL;
  secshim_error_t err = NULL;
  if (json_parse (text, strlen (text), NULL, &v, &err) < 0)
    {
      tap_diag ("parse: %s", err->msg);
      abort ();
    }
  return v;
}

static const char config[] = "{\"root\":{\"path\":\"/b/rootfs\"},\"mounts\":["
                             "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                             "{\"destination\":\"/data\",\"type\":\"none\",\"source\":\"/srv/data\","
                             "\"options\":[\"rbind\",\"ro\"]}]}";

/* One way to change what the view was built from, and what the mount at
 * index 1 (or the rootfs) must look like afterwards. */
struct change_case
{
  const char *what;
  void (*apply) (struct json_value *doc);
  const char *want_landed; /* mounts[1].landed */
  int want_bind;           /* mounts[1] is a bind */
  const char *want_rootfs;
};

static struct json_value *
mount1 (struct json_value *doc)
{
  return json_get (doc, "mounts")->items[1];
}

static void
set_destination (struct json_value *doc)
{
  json_set (mount1 (doc), "destination", json_new_string ("/elsewhere"));
}

static void
drop_bind (struct json_value *doc)
{
  json_set (mount1 (doc), "type", json_new_string ("tmpfs"));
  json_set (mount1 (doc), "options", json_new_array ());
}

static void
set_option (struct json_value *doc)
{
  /* same length, same place: only one byte differs, and it was MS_BIND */
  json_set (mount1 (doc), "options", parse ("[\"rbinx\",\"ro\"]"));
}

static void
set_rootfs (struct json_value *doc)
{
  json_set (json_get (doc, "root"), "path", json_new_string ("/other/rootfs"));
}

static void
drop_first_mount (struct json_value *doc)
{
  struct json_value *mounts = json_get (doc, "mounts");
  json_array_remove_at (mounts, 0);
  json_array_append (mounts, parse ("{\"destination\":\"/x\",\"type\":\"tmpfs\"}"));
}

static const struct change_case changes[] = {
  { "destination", set_destination, "/elsewhere", 1, "/b/rootfs" },
  { "type and options", drop_bind, "/data", 0, "/b/rootfs" },
  { "one option", set_option, "/data", 0, "/b/rootfs" },
  { "root.path", set_rootfs, "/data", 1, "/other/rootfs" },
  { "mounts removed and added", drop_first_mount, "/x", 0, "/b/rootfs" },
};

int
main (void)
{
  struct host h;
  size_t i;

  host_fake_init (&h, false, true);
  for (i = 0; i < sizeof changes / sizeof changes[0]; i++)
    {
      const struct change_case *c = &changes[i];
      struct eval_ctx ctx = { 0 };
      const struct config_view *a, *b;
      ctx.doc = parse (config);
      ctx.kind = DOC_CONFIG;
      ctx.host = &h;
      a = config_view_shared (&ctx);
      b = config_view_shared (&ctx);
      TAP_CHECK (a == b && a->n == 2 && str_equal (a->m[1].landed, "/data") && a->m[1].bind,
                 "%s: asked twice, built once", c->what);
      c->apply (ctx.doc);
      b = config_view_shared (&ctx);
      TAP_CHECK (b->n == 2 && str_equal (b->m[1].landed, c->want_landed) && b->m[1].bind == (c->want_bind != 0)
                     && str_equal (b->rootfs, c->want_rootfs),
                 "%s changed: built again (mounts[1] at %s, %s, rootfs %s)", c->what,
                 b->m[1].landed ? b->m[1].landed : "-", b->m[1].bind ? "bind" : "not bind",
                 b->rootfs ? b->rootfs : "-");
      ctx.view_cache_free (ctx.view_cache);
      json_free (ctx.doc);
    }
  return tap_done ();
}
