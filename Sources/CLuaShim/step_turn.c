// One host call per move in turn-based games: E.step, then (unless the step ended the
// episode) the player to move and its legal actions, in a single entry from the host and a
// single run of the interpreter (Lua-to-Lua calls, no C frame in between); and E.reset with
// the episode's first turn, the same way.
//
// The wrapper is Lua loaded here without debug information, so that it is invisible to
// `error(message, 2)` in E.step or E.reset: the caller it names has no line, as when the host
// called them itself, and messages stay what they were. A failing current_player or
// legal_actions is reported by the step's (or the reset's) call, which has then happened.
#include "internal.h"
#include <stdlib.h>
#include <string.h>

static const char step_wrapper_source[] =
    "local step, E = ...\n"
    "return function(self, action)\n"
    "  local obs, reward, terminated, truncated, info = step(self, action)\n"
    "  if terminated or truncated then return obs, reward, terminated, truncated, info end\n"
    "  local player = E.current_player(self)\n"
    "  if player == 0 or player == -1 then return obs, reward, terminated, truncated, info, player end\n"
    "  return obs, reward, terminated, truncated, info, player, E.legal_actions(self)\n"
    "end\n";

// The same for a reset: the episode's first turn comes back with its first observation.
static const char reset_wrapper_source[] =
    "local reset, E = ...\n"
    "return function(self, params)\n"
    "  local obs, info = reset(self, params)\n"
    "  local player = E.current_player(self)\n"
    "  if player == 0 or player == -1 then return obs, info, player end\n"
    "  return obs, info, player, E.legal_actions(self)\n"
    "end\n";

typedef struct { char *data; size_t size, capacity; } chunk_bytes;

static int write_chunk(lua_State *L, const void *p, size_t n, void *ud) {
    (void)L;
    chunk_bytes *c = ud;
    if (c->size + n > c->capacity) {
        size_t capacity = (c->size + n) * 2;
        char *data = realloc(c->data, capacity);
        if (data == NULL) return 1;
        c->data = data;
        c->capacity = capacity;
    }
    memcpy(c->data + c->size, p, n);
    c->size += n;
    return 0;
}

typedef struct { const char *source; int function_ref, module_ref; } wrapper_request;

// Under ludus_protected: the wrapper's source and {E.step or E.reset, E}. Pushes the wrapper
// bound to them.
static int make_wrapper(lua_State *L) {
    const wrapper_request *request = lua_touserdata(L, 1);
    if (luaL_loadbufferx(L, request->source, strlen(request->source), "=host", "t") != LUA_OK) return lua_error(L);
    chunk_bytes bytes = { NULL, 0, 0 };
    int failed = lua_dump(L, write_chunk, &bytes, 1);  // 1: strip debug information
    lua_pop(L, 1);
    int status = failed ? LUA_ERRMEM : luaL_loadbufferx(L, bytes.data, bytes.size, "=host", "b");
    free(bytes.data);
    if (failed) return luaL_error(L, "not enough memory");
    if (status != LUA_OK) return lua_error(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, request->function_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, request->module_ref);
    lua_call(L, 2, 1);
    return 1;
}

int ludus_push_step_turn(lua_State *L, int step_ref, int module_ref) {
    wrapper_request request = { step_wrapper_source, step_ref, module_ref };
    return ludus_protected(L, make_wrapper, &request, 1);
}

int ludus_push_reset_turn(lua_State *L, int reset_ref, int module_ref) {
    wrapper_request request = { reset_wrapper_source, reset_ref, module_ref };
    return ludus_protected(L, make_wrapper, &request, 1);
}

// The hot path's host crossing in one call: everything a discrete step does with the stack
// before and after the script runs, without a round trip to Swift for each piece.
int ludus_step_integer(lua_State *L, int step_ref, int instance_ref, lua_Integer action, int nresults,
                       int park_slot, double *reward, int *flags) {
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, step_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, instance_ref);
    lua_pushinteger(L, action);
    int status = ludus_call(L, 2, nresults);
    if (status != LUDUS_OK) return status;
    if (park_slot != LUA_NOREF) {
        lua_pushvalue(L, top + 1);
        lua_rawseti(L, LUA_REGISTRYINDEX, park_slot);  // an existing slot: no allocation
    }
    *flags = ludus_read_step(L, top + 1, reward);
    return LUDUS_OK;
}
