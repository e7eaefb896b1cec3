// Copying a flat observation plan in one host call.
//
// Why: the observation of most environments is a list of numbers, or one level of named
// or positional parts (`{image = ..., direction = ...}`). Walking the plan in Swift paid,
// per part and per step, for the plan array's bounds checks and the retain of each
// entry's name; for small observations (corridor, tic_tac_toe) that was a tenth of the
// step. Here the number parts are copied in one C loop; text parts are left to the host.
//
// Nothing here allocates or raises: lua_rawget/lua_rawgeti with a string or integer key on
// a table never do, and the numbers are read by ludus_read_numbers (never raises).
#include "internal.h"

int ludus_copy_flat_numbers(lua_State *L, int index, const ludus_flat_entry *entries, int count, double *out) {
    index = lua_absindex(L, index);
    int is_table = lua_type(L, index) == LUA_TTABLE;
    for (int k = 0; k < count; k++) {
        const ludus_flat_entry *entry = &entries[k];
        if (entry->count < 0) continue;  // a text part: the host copies it
        if (entry->source == LUDUS_FLAT_WHOLE) {
            if (ludus_read_numbers(L, index, out + entry->offset, entry->count) != entry->count) return k;
            continue;
        }
        if (!is_table) return k;
        if (entry->source == LUDUS_FLAT_FIELD) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, entry->key);
            lua_rawget(L, index);
        } else {
            lua_rawgeti(L, index, entry->key);
        }
        int written = ludus_read_numbers(L, -1, out + entry->offset, entry->count);
        lua_settop(L, -2);
        if (written != entry->count) return k;
    }
    return -1;
}

int ludus_read_rewards(lua_State *L, int index, double *out, int players) {
    if (lua_type(L, index) != LUA_TTABLE) return 0;
    if (ludus_read_table_exact_numbers_fast(L, index, out, players)) return 1;  // numbers in the array part
    if (lua_rawlen(L, index) != (lua_Unsigned)players) return 0;
    index = lua_absindex(L, index);
    for (int player = 0; player < players; player++) {
        int is_number = 0;
        lua_rawgeti(L, index, player + 1);
        out[player] = lua_tonumberx(L, -1, &is_number);
        lua_settop(L, -2);
        if (!is_number) return 0;
    }
    return 1;
}
