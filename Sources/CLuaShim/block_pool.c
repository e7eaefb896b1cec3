// Small blocks for one Lua state, by size class, with no per-block header: Lua passes a
// block's size back on every free and resize, so the class is known without storing it.
// Tables, strings and closures are mostly this small; taking them from a free list costs
// a few instructions where glibc's malloc in a threaded process pays for its arena lock
// (the host always has a watchdog thread), and saves malloc's 16-byte header per block.
// A state is used by one thread at a time, so the pool takes no lock either.
#include "internal.h"
#include <stdlib.h>
#include <string.h>

#define CHUNK_HEADER 16              // keeps blocks 16-byte aligned, like malloc
#define FIRST_CHUNK (8u << 10)       // chunks grow 8 KiB, 16, 32, then 64 KiB each
#define LARGEST_CHUNK (64u << 10)

static inline size_t class_of(size_t size) { return (size + LUDUS_POOL_GRAIN - 1) / LUDUS_POOL_GRAIN - 1; }

static void *take(ludus_pool *p, size_t cls) {
    void *block = p->free_list[cls];
    if (block != NULL) {
        p->free_list[cls] = *(void **)block;
        return block;
    }
    size_t size = (cls + 1) * LUDUS_POOL_GRAIN;
    if (p->bump_left < size) {
        size_t chunk = p->next_chunk == 0 ? FIRST_CHUNK : p->next_chunk;
        char *fresh = malloc(chunk);
        if (fresh == NULL) return NULL;
        *(void **)fresh = p->chunks;  // what is left of the old chunk stays unused
        p->chunks = fresh;
        p->bump = fresh + CHUNK_HEADER;
        p->bump_left = chunk - CHUNK_HEADER;
        p->next_chunk = chunk < LARGEST_CHUNK ? chunk * 2 : LARGEST_CHUNK;
    }
    block = p->bump;
    p->bump += size;
    p->bump_left -= size;
    return block;
}

static inline void give(ludus_pool *p, void *block, size_t size) {
    size_t cls = class_of(size);
    *(void **)block = p->free_list[cls];
    p->free_list[cls] = block;
}

void *ludus_pool_realloc(ludus_pool *p, void *ptr, size_t osize, size_t nsize) {
    int small_old = ptr != NULL && osize <= LUDUS_POOL_MAX;
    if (nsize == 0) {
        if (small_old) give(p, ptr, osize); else free(ptr);
        return NULL;
    }
    if (nsize > LUDUS_POOL_MAX) {
        if (ptr == NULL || !small_old) return realloc(ptr, nsize);
        void *block = malloc(nsize);
        if (block == NULL) return NULL;
        memcpy(block, ptr, osize);
        give(p, ptr, osize);
        return block;
    }
    if (small_old && class_of(osize) == class_of(nsize)) return ptr;
    void *block = take(p, class_of(nsize));
    if (block == NULL) return NULL;  // the caller keeps the old block on a failed shrink
    if (ptr != NULL) {
        memcpy(block, ptr, osize < nsize ? osize : nsize);
        if (small_old) give(p, ptr, osize); else free(ptr);
    }
    return block;
}

void ludus_pool_release(ludus_pool *p) {
    while (p->chunks != NULL) {
        void *next = *(void **)p->chunks;
        free(p->chunks);
        p->chunks = next;
    }
    memset(p, 0, sizeof *p);
}
