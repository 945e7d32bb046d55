/* The loader's arena: see node.h for what lives in it and the ownership
 * rules that keep a tree's per-node semantics. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/util.h"

#include "node.h"

struct arena_chunk
{
  struct arena_chunk *next;
};

/* Chunks double up to this size; a larger allocation gets a chunk of its
 * own. */
#define ARENA_CHUNK_MAX ((size_t) 1 << 20)

struct json_arena *
json_arena_new (size_t first_chunk)
{
  struct json_arena *a = xzalloc (sizeof *a);
  a->refs = 1;
  a->next_chunk = first_chunk < 1024 ? 1024 : first_chunk > ARENA_CHUNK_MAX ? ARENA_CHUNK_MAX : first_chunk;
  return a;
}

void
json_arena_grow (struct json_arena *a, size_t size)
{
  size_t want = size + sizeof (struct arena_chunk);
  size_t n = a->next_chunk;
  if (want < size)
    abort ();
  if (n < want)
    n = want;
  struct arena_chunk *c = xmalloc (n);
  c->next = a->chunks;
  a->chunks = c;
  a->cur = (char *) (c + 1);
  a->end = (char *) c + n;
  if (a->next_chunk < ARENA_CHUNK_MAX)
    a->next_chunk *= 2;
}

void
json_arena_unref (struct json_arena *a)
{
  if (a == NULL || --a->refs > 0)
    return;
  while (a->chunks)
    {
      struct arena_chunk *next = a->chunks->next;
      free (a->chunks);
      a->chunks = next;
    }
  free (a);
}
