// Reading an observation's numbers straight out of Lua 5.4 tables.
//
// Why: a MiniGrid-like 7x7x3 image is about 200 tables and numbers; through the
// public API that is three calls per number (rawgeti, tonumberx, settop), which
// cost as much as the environment's own step. Here the array part of each table
// is walked in place: one load and one tag test per number.
//
// Safety: only clean, unambiguous shapes take this path (sequences held wholly in
// the array part, of numbers, booleans and such sequences). Anything else (a hole,
// a hash part that could extend the sequence, a string, too many numbers, a cycle
// past the depth cap) returns FAST_UNSUPPORTED and the caller redoes the read with
// the public API, so both paths always give the same answer. The layout below is
// Lua 5.4's (lobject.h, unchanged from 5.4.0 to 5.4.7); a probe at start-up checks
// it against tables the API built and switches the path off when anything differs.
// Nothing here allocates, raises or writes to Lua memory.
#include "internal.h"
#include <stdatomic.h>

#if LUA_VERSION_NUM == 504

typedef union { void *gc; lua_Integer i; lua_Number n; } lua54_value;
typedef struct { lua54_value value; unsigned char tag; } lua54_tvalue;
typedef struct {
    void *next;
    unsigned char tag, marked, flags, lsizenode;
    unsigned int alimit;      // the array's size, or less (see array_size)
    lua54_tvalue *array;
    void *node;
    void *lastfree;           // NULL exactly when the table has no hash part
    void *metatable;
    void *gclist;
} lua54_table;

enum {
    TAG_FALSE = 0x01, TAG_TRUE = 0x11,          // LUA_TBOOLEAN variants
    TAG_INT = 0x03, TAG_FLOAT = 0x13,           // LUA_TNUMBER variants
    TAG_TABLE = 0x45,                           // LUA_TTABLE | collectable bit (a slot's tag)
    HEADER_TABLE = 0x05,                        // LUA_TTABLE (an object header's tag)
    TAG_TYPE_MASK = 0x0f,                       // LUA_TNIL == 0 in the low bits: empty slot
    FLAG_ALIMIT_NOT_REAL = 0x80,                // BITRAS: alimit is a cached length, not the size
    FAST_UNSUPPORTED = -2,
    MAX_DEPTH = 16,
};

static _Atomic int fast_enabled = 0;  // set by ludus_table_reader_probe

// Lua's own rule (luaH_realasize): alimit is the array's size unless a cached
// length made it smaller, in which case the size is the next power of two.
static unsigned int array_size(const lua54_table *t) {
    unsigned int size = t->alimit;
    if (!(t->flags & FLAG_ALIMIT_NOT_REAL) || (size & (size - 1)) == 0) return size;
    size--;
    size |= size >> 1; size |= size >> 2; size |= size >> 4; size |= size >> 8; size |= size >> 16;
    return size + 1;
}

// Whether a sequence read up to slot k (0-based, exclusive) of an array part of
// `size` slots ends there, with one border as luaH_getn would find: no value later
// in the array (a hole gives several borders) and, for a full array, no hash part
// that could carry it on.
static int sequence_ends(const lua54_table *t, unsigned int k, unsigned int size) {
    if (k == size) return t->lastfree == NULL;
    for (unsigned int j = k + 1; j < size; j++)
        if ((t->array[j].tag & TAG_TYPE_MASK) != 0) return 0;
    return 1;
}

// The sequence length of `t` when it lies wholly in the array part, else -1.
static int array_length(const lua54_table *t) {
    unsigned int size = array_size(t), k = 0;
    while (k < size && (t->array[k].tag & TAG_TYPE_MASK) != 0) k++;
    return sequence_ends(t, k, size) ? (int)k : -1;
}

// A leaf read in place of a call: `t` is a sequence of numbers wholly in its array part (at
// most `room` of them; empty slots after it, or no hash part when it fills the array), as an
// image cell's channels or a board's row are. Returns how many numbers it wrote, or -1 for
// anything else, which read_fast then decides (it gives the same count whenever this does).
// Saves a call per cell: a third of a 7x7x3 image's copy.
static inline int read_leaf(const lua54_table *t, double *out, int room) {
    unsigned int size = array_size(t), k = 0;
    unsigned int run = size < (unsigned int)room ? size : (unsigned int)room;
    const lua54_tvalue *slot = t->array;
    // Three integers and no hash part, a MiniGrid cell (object, colour, state): one test of
    // the three tags instead of a branch per number.
    if (size == 3 && run == 3 && t->lastfree == NULL
            && ((slot[0].tag ^ TAG_INT) | (slot[1].tag ^ TAG_INT) | (slot[2].tag ^ TAG_INT)) == 0) {
        out[0] = (double)slot[0].value.i;
        out[1] = (double)slot[1].value.i;
        out[2] = (double)slot[2].value.i;
        return 3;
    }
    for (; k < run; k++) {
        unsigned char tag = slot[k].tag;
        if (__builtin_expect(tag == TAG_INT, 1)) out[k] = (double)slot[k].value.i;
        else if (tag == TAG_FLOAT) out[k] = slot[k].value.n;
        else break;
    }
    if (k == size) return t->lastfree == NULL ? (int)k : -1;
    // Stopped early: the sequence ends at k only if every slot from k on is empty (a number
    // past `room`, a table or a boolean there: read_fast decides).
    for (unsigned int j = k; j < size; j++)
        if ((slot[j].tag & TAG_TYPE_MASK) != 0) return -1;
    return (int)k;
}

// One pass over the array part: numbers out, nested sequences recursively, and at
// the first empty slot (or the end) a check that the sequence really ends there.
static int read_fast(const lua54_table *t, double *out, int capacity, int count, int depth) {
    unsigned int size = array_size(t), k = 0;
    const lua54_tvalue *slot = t->array;
    // The common leaf, a row of numbers: no capacity test and no switch per number (a third of
    // the instructions of a board's copy). It stops at the first slot that is not a number, or
    // when `out` is full, and the general loop below goes on from there (and decides).
    unsigned int room = (unsigned int)(capacity - count), run = size < room ? size : room;
    double *row = out + count;
    for (; k < run; k++) {
        unsigned char tag = slot[k].tag;
        if (tag == TAG_INT) row[k] = (double)slot[k].value.i;
        else if (tag == TAG_FLOAT) row[k] = slot[k].value.n;
        else break;
    }
    count += (int)k;
    if (k == size) return sequence_ends(t, size, size) ? count : FAST_UNSUPPORTED;
    slot += k;
    for (; k < size; k++, slot++) {
        switch (slot->tag) {
        case TAG_FLOAT:
            if (count >= capacity) return FAST_UNSUPPORTED;
            out[count++] = slot->value.n;
            break;
        case TAG_INT:
            if (count >= capacity) return FAST_UNSUPPORTED;
            out[count++] = (double)slot->value.i;
            break;
        case TAG_FALSE:
        case TAG_TRUE:
            if (count >= capacity) return FAST_UNSUPPORTED;
            out[count++] = slot->tag == TAG_TRUE ? 1.0 : 0.0;
            break;
        case TAG_TABLE: {
            if (depth >= MAX_DEPTH) return FAST_UNSUPPORTED;
            const lua54_table *child = (const lua54_table *)slot->value.gc;
            int leaf = read_leaf(child, out + count, capacity - count);
            if (leaf >= 0) {
                count += leaf;
                break;
            }
            count = read_fast(child, out, capacity, count, depth + 1);
            if (count < 0) return FAST_UNSUPPORTED;
            break;
        }
        default:
            if ((slot->tag & TAG_TYPE_MASK) != 0) return FAST_UNSUPPORTED;  // a string, a function...
            return sequence_ends(t, k, size) ? count : FAST_UNSUPPORTED;
        }
    }
    return sequence_ends(t, size, size) ? count : FAST_UNSUPPORTED;
}

int ludus_fast_table_reads_enabled(void) { return atomic_load(&fast_enabled); }

int ludus_read_table_fast(lua_State *L, int index, double *out, int capacity) {
    if (!atomic_load_explicit(&fast_enabled, memory_order_relaxed)) return FAST_UNSUPPORTED;
    return read_fast((const lua54_table *)lua_topointer(L, index), out, capacity, 0, 1);
}

int ludus_read_table_integers_fast(lua_State *L, int index, int64_t *out, int capacity) {
    if (!atomic_load_explicit(&fast_enabled, memory_order_relaxed)) return FAST_UNSUPPORTED;
    const lua54_table *t = (const lua54_table *)lua_topointer(L, index);
    int n = array_length(t);
    if (n < 0 || n > capacity) return FAST_UNSUPPORTED;
    for (int k = 0; k < n; k++) {
        if (t->array[k].tag != TAG_INT) return FAST_UNSUPPORTED;
        out[k] = (int64_t)t->array[k].value.i;
    }
    return n;
}

int ludus_read_table_exact_numbers_fast(lua_State *L, int index, double *out, int count) {
    if (!atomic_load_explicit(&fast_enabled, memory_order_relaxed)) return 0;
    const lua54_table *t = (const lua54_table *)lua_topointer(L, index);
    if (array_length(t) != count) return 0;
    for (int k = 0; k < count; k++) {
        unsigned char tag = t->array[k].tag;
        if (tag == TAG_INT) out[k] = (double)t->array[k].value.i;
        else if (tag == TAG_FLOAT) out[k] = t->array[k].value.n;
        else return 0;
    }
    return 1;
}

// Checks the layout against tables built through the API; runs under ludus_protected
// (it allocates). Tables come from constructors and from appends, so both the exact
// and the rounded-up array sizes are seen.
int ludus_table_reader_probe(lua_State *L) {
    static _Atomic int probed = 0;
    if (atomic_load(&probed)) return 0;
    int top = lua_gettop(L);
    const char *source =
        "local grown = {} for i = 1, 5 do grown[i] = i * 0.5 end local _ = #grown\n"
        "return {1, 2.5, true, false, {-3, {4.25}}}, grown, {7, 8, 9, 10}";
    // Protected: a state too small for these tables keeps the API path and opens normally.
    if (luaL_loadstring(L, source) != LUA_OK || lua_pcall(L, 0, 3, 0) != LUA_OK) {
        lua_settop(L, top);
        return 0;
    }
    const lua54_table *nested = (const lua54_table *)lua_topointer(L, -3);
    const lua54_table *exact = (const lua54_table *)lua_topointer(L, -1);
    int ok = nested->tag == HEADER_TABLE && exact->tag == HEADER_TABLE && exact->alimit == 4 && exact->lastfree == NULL;
    double expected[16], got[16];
    for (int i = 1; i <= 3 && ok; i++) {
        int index = top + i;
        int api = ludus_read_numbers_api(L, index, expected, 16);
        int fast = read_fast((const lua54_table *)lua_topointer(L, index), got, 16, 0, 1);
        ok = api > 0 && fast == api;
        for (int k = 0; ok && k < api; k++) ok = expected[k] == got[k];
    }
    lua_settop(L, top);
    atomic_store(&fast_enabled, ok);
    atomic_store(&probed, 1);
    return 0;
}

#else

int ludus_read_table_fast(lua_State *L, int index, double *out, int capacity) {
    (void)L; (void)index; (void)out; (void)capacity;
    return -2;
}
int ludus_table_reader_probe(lua_State *L) { (void)L; return 0; }
int ludus_fast_table_reads_enabled(void) { return 0; }
int ludus_read_table_integers_fast(lua_State *L, int index, int64_t *out, int capacity) {
    (void)L; (void)index; (void)out; (void)capacity;
    return -2;
}
int ludus_read_table_exact_numbers_fast(lua_State *L, int index, double *out, int count) {
    (void)L; (void)index; (void)out; (void)count;
    return 0;
}

#endif
