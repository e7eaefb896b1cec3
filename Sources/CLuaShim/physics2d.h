// Private to the shim: the userdata types of the `physics2d` host library.
//
// Every function here is a lua_CFunction called by Lua: it may raise (luaL_error)
// because only C frames lie between it and the protected call. Box2D is reached
// only through CBox2D's C API, which never raises, throws or calls back, so no
// longjmp crosses a C++ frame.
#ifndef LUDUS_PHYSICS2D_H
#define LUDUS_PHYSICS2D_H

#include "internal.h"
#include <cbox2d.h>

#define P2_WORLD "ludus.physics2d.world"
#define P2_BODY "ludus.physics2d.body"
#define P2_JOINT "ludus.physics2d.joint"
/// Live worlds one Lua state may hold: Box2D memory is outside the Lua allocator's cap.
#define P2_MAX_WORLDS 16

/// The world userdata: owns the Box2D world until `destroy` or `__gc`.
typedef struct {
    cb2_world *w;
    int *live;      // the state's count of live worlds
    size_t charged; // Box2D bytes (estimated) counted against the state's memory cap
} p2_world;

/// Estimated Box2D bytes per world and per object, charged to the Lua allocator's counter
/// (Box2D allocates outside it): a world's base (its stack allocator alone is 100 KiB), then
/// each body, fixture (per edge of a chain), joint and contact.
#define P2_COST_WORLD (256u << 10)
#define P2_COST_OBJECT 512u

/// Recharges the world's estimated Box2D memory to the state's counter; past the memory cap,
/// a memory error (the object that crossed it stays, and is charged).
void p2_account(lua_State *L, p2_world *w, const char *what);
/// The estimate itself (0 for a destroyed world).
size_t p2_estimate(const p2_world *w);

/// Body and joint userdata: an id in a world, which they keep alive as their user value.
typedef struct {
    p2_world *world;
    int id;
} p2_handle;

p2_world *p2_check_world(lua_State *L, int index);
/// The handle at `index` of type `tname`, with its world still alive.
p2_handle *p2_check_handle(lua_State *L, int index, const char *tname);
/// Raises a Lua error for a negative CBox2D code.
int p2_fail(lua_State *L, int code, const char *what);
/// A finite number argument.
double p2_number(lua_State *L, int index);
/// Checks that every key of the table at `index` is in `allowed` (NULL-terminated).
void p2_check_keys(lua_State *L, int index, const char *what, const char *const *allowed);
/// Optional number field of the table at `index`.
double p2_field_number(lua_State *L, int index, const char *name, double fallback);
int p2_field_bool(lua_State *L, int index, const char *name, int fallback);

void p2_open_body(lua_State *L);
void p2_open_joint(lua_State *L);
/// Pushes a new handle of type `tname` for `id` in the world at `world_index`.
void p2_push_handle(lua_State *L, int world_index, int id, const char *tname);

#endif
