/* Internal to src/json: how a tree's nodes are allocated.
 *
 * A string or number node holds its text in the same allocation as the
 * node, right after it.  Such a node is marked by cap == JSON_TEXT_INLINE;
 * cap means nothing else for a scalar, and a node built any other way (a
 * struct on the stack in a test, say) has cap 0 and a separately allocated
 * str, which json_free frees as before.
 *
 * The loader allocates a whole tree from one arena (arena.c): its nodes,
 * their texts, the objects' keys and the exact-size member and item
 * arrays, bump-allocated from a few large chunks instead of one malloc
 * each.  Ownership stays per node, so that rules can keep replacing,
 * dropping and moving subtrees, even into other trees:
 *   - a node with v->arena != NULL was allocated from that arena and holds
 *     one reference to it; json_free drops the reference instead of
 *     calling free, and the last one frees the arena;
 *   - such an object's keys are arena memory too (json_set adds new ones
 *     there, json_remove drops them without free): they live as long as
 *     the object does, which holds the arena;
 *   - JSON_FLAG_CHILDREN_IN_ARENA: members or items are arena memory;
 *     growing them first copies them to the heap and clears the flag.
 * Nodes built by json_new_* and json_clone are heap nodes (arena NULL):
 * every part of them is its own malloc, as before. */
#ifndef SECSHIM_JSON_NODE_H
#define SECSHIM_JSON_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/json.h"

#define JSON_TEXT_INLINE SIZE_MAX

#define JSON_FLAG_CHILDREN_IN_ARENA 1u

/* What the loader found about a text, so that the writer need not look
 * again (its scan was a tenth of a create):
 *   - JSON_FLAG_TEXT_PLAIN: a JSON_STRING whose text holds nothing yajl_gen
 *     escapes (no byte below 0x20, no '"' or '\\') besides what the loader
 *     checks of every string (no NUL, RFC 3629 UTF-8, which implies yajl's
 *     weaker check): the writer copies it whole.  Only the loader and
 *     json_clone (a copy of such a node) set it, and the writer trusts it
 *     only while str still points at the node's own inline text
 *     (json_node_text_plain).  A text is const (json.h) and never changed
 *     in place, so the flag cannot go stale;
 *   - JSON_FLAG_KEYS_PLAIN: the same of every key of a JSON_OBJECT.  Set by
 *     the loader when it closes the object and kept by json_clone; the
 *     functions that add, rename or move keys (value.c) keep it only for
 *     keys of printable ASCII without '"' or '\\', and json_object_retain
 *     drops it if a keep callback changes a member's key.  Removing members
 *     keeps it. */
#define JSON_FLAG_TEXT_PLAIN 2u
#define JSON_FLAG_KEYS_PLAIN 4u

/* A JSON_STRING or JSON_NUMBER node whose str is a NUL-terminated copy of
 * s[0..len), in one allocation.  Aborts on OOM. */
struct json_value *json_node_new_text (enum json_type type, const char *s, size_t len);

static inline bool
json_node_text_is_inline (const struct json_value *v)
{
  return (v->type == JSON_STRING || v->type == JSON_NUMBER) && v->cap == JSON_TEXT_INLINE;
}

/* true if v's text can be written as it is, between quotes. */
static inline bool
json_node_text_plain (const struct json_value *v)
{
  return (v->flags & JSON_FLAG_TEXT_PLAIN) && v->str == (const char *) (v + 1);
}

struct json_arena
{
  size_t refs;
  char *cur; /* free space of the newest chunk: cur..end */
  char *end;
  size_t next_chunk; /* size of the next chunk */
  struct arena_chunk *chunks;
};

/* An arena with one reference (its creator's); first_chunk is the size of
 * its first chunk, later ones grow.  Aborts on OOM. */
struct json_arena *json_arena_new (size_t first_chunk);
/* A new chunk with room for size bytes. */
void json_arena_grow (struct json_arena *a, size_t size);

/* size bytes, 8-aligned, freed only with the whole arena.  Inline: the
 * loader calls it for every node and key. */
static inline void *
json_arena_alloc (struct json_arena *a, size_t size)
{
  size_t rounded = (size + 7) & ~(size_t) 7;
  if (rounded < size)
    abort ();
  if ((size_t) (a->end - a->cur) < rounded)
    json_arena_grow (a, rounded);
  void *p = a->cur;
  a->cur += rounded;
  return p;
}
static inline void
json_arena_ref (struct json_arena *a)
{
  a->refs++;
}
/* Drop one reference; the last one frees every chunk. */
void json_arena_unref (struct json_arena *a);

/* A node of type `type` in arena a holding a reference to it, followed by
 * text_len + 1 bytes for a NUL-terminated copy of text (scalars with
 * text != NULL), zeroed otherwise.  Inline: the loader makes every node
 * with it. */
static inline struct json_value *
json_arena_node (struct json_arena *a, enum json_type type, const char *text, size_t text_len)
{
  size_t extra = text ? text_len + 1 : 0;
  if (text && text_len > SIZE_MAX - sizeof (struct json_value) - 1)
    abort ();
  struct json_value *v = json_arena_alloc (a, sizeof *v + extra);
  *v = (struct json_value){ .type = type, .arena = a };
  if (text)
    {
      char *copy = (char *) (v + 1);
      memcpy (copy, text, text_len);
      copy[text_len] = '\0';
      v->str = copy;
      v->len = text_len;
      v->cap = JSON_TEXT_INLINE;
    }
  json_arena_ref (a);
  return v;
}

/* json_parse_fd reading at most piece bytes (1 to 64 KiB) at a time: for
 * the tests and the fuzzer, to put piece boundaries everywhere. */
int json_parse_fd_pieces (int fd, size_t piece, size_t size_hint, const struct json_limits *limits,
                          struct json_value **out, size_t *size, secshim_error_t *err);

#endif
