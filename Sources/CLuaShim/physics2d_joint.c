// physics2d revolute joints: limits, motors, angle and speed reads.
#include "physics2d.h"

static const char *const revolute_keys[] = {
    "a", "b", "anchor_a", "anchor_b", "reference_angle", "lower", "upper", "limit",
    "motor", "speed", "max_torque", "collide_connected", NULL};

/// Reads the {x, y} pair in field `name` of the table at `index` (default 0, 0).
static void pair(lua_State *L, int index, const char *name, double *x, double *y) {
    int t = lua_getfield(L, index, name);
    *x = *y = 0;
    if (t != LUA_TNIL) {
        int okx = 0, oky = 0;
        if (t == LUA_TTABLE) {
            lua_rawgeti(L, -1, 1);
            lua_rawgeti(L, -2, 2);
            *x = lua_tonumberx(L, -2, &okx);
            *y = lua_tonumberx(L, -1, &oky);
            lua_pop(L, 2);
        }
        if (!okx || !oky) luaL_error(L, "physics2d: revolute_joint: '%s' must be an {x, y} pair", name);
    }
    lua_pop(L, 1);
}

/// The id of the body in field `name`, which must belong to the world at index 1.
static int body_field(lua_State *L, int index, const char *name, p2_world *w) {
    lua_getfield(L, index, name);
    p2_handle *h = (p2_handle *)luaL_testudata(L, -1, P2_BODY);
    if (h == NULL) luaL_error(L, "physics2d: revolute_joint: '%s' must be a body", name);
    if (h->world != w) luaL_error(L, "physics2d: revolute_joint: '%s' belongs to another world", name);
    lua_pop(L, 1);
    return h->id;
}

// world:revolute_joint{a = body, b = body, anchor_a = {x, y}, anchor_b = {x, y},
//   reference_angle, limit = bool, lower, upper, motor = bool, speed, max_torque,
//   collide_connected} -> joint. Anchors are in each body's own frame.
int p2_world_revolute(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    p2_check_keys(L, 2, "world:revolute_joint{...}", revolute_keys);
    cb2_revolute_def d = cb2_default_revolute();
    d.body_a = body_field(L, 2, "a", w);
    d.body_b = body_field(L, 2, "b", w);
    pair(L, 2, "anchor_a", &d.anchor_ax, &d.anchor_ay);
    pair(L, 2, "anchor_b", &d.anchor_bx, &d.anchor_by);
    d.reference_angle = p2_field_number(L, 2, "reference_angle", 0);
    d.enable_limit = p2_field_bool(L, 2, "limit", 0);
    d.lower = p2_field_number(L, 2, "lower", 0);
    d.upper = p2_field_number(L, 2, "upper", 0);
    d.enable_motor = p2_field_bool(L, 2, "motor", 0);
    d.motor_speed = p2_field_number(L, 2, "speed", 0);
    d.max_motor_torque = p2_field_number(L, 2, "max_torque", 0);
    d.collide_connected = p2_field_bool(L, 2, "collide_connected", 0);
    int id = cb2_revolute_new(w->w, &d);
    if (id < 0) return p2_fail(L, id, "world:revolute_joint (bodies must differ, lower <= upper, max_torque >= 0)");
    p2_account(L, w, "world:revolute_joint");
    p2_push_handle(L, 1, id, P2_JOINT);
    return 1;
}

static p2_handle *joint(lua_State *L) { return p2_check_handle(L, 1, P2_JOINT); }

static void joint_read(lua_State *L, double out[2]) {
    p2_handle *j = joint(L);
    int rc = cb2_joint_state(j->world->w, j->id, out);
    if (rc < 0) p2_fail(L, rc, "joint");
}

static int joint_id(lua_State *L) { lua_pushinteger(L, joint(L)->id); return 1; }
static int joint_angle(lua_State *L) { double s[2]; joint_read(L, s); lua_pushnumber(L, s[0]); return 1; }
static int joint_speed(lua_State *L) { double s[2]; joint_read(L, s); lua_pushnumber(L, s[1]); return 1; }
// joint:state() -> angle, speed
static int joint_state(lua_State *L) {
    double s[2]; joint_read(L, s);
    lua_pushnumber(L, s[0]);
    lua_pushnumber(L, s[1]);
    return 2;
}

// joint:set_motor(speed, max_torque)
static int joint_set_motor(lua_State *L) {
    p2_handle *j = joint(L);
    int rc = cb2_joint_set_motor(j->world->w, j->id, p2_number(L, 2), p2_number(L, 3));
    if (rc < 0) return p2_fail(L, rc, "joint:set_motor (max_torque must be >= 0)");
    return 0;
}

static int joint_enable_motor(lua_State *L) {
    p2_handle *j = joint(L);
    cb2_joint_enable_motor(j->world->w, j->id, lua_toboolean(L, 2));
    return 0;
}

// joint:set_limits(lower, upper [, enabled = true])
static int joint_set_limits(lua_State *L) {
    p2_handle *j = joint(L);
    int enable = lua_isnoneornil(L, 4) ? 1 : lua_toboolean(L, 4);
    int rc = cb2_joint_set_limits(j->world->w, j->id, enable, p2_number(L, 2), p2_number(L, 3));
    if (rc < 0) return p2_fail(L, rc, "joint:set_limits (lower <= upper)");
    return 0;
}

// joint:motor_torque(inverse_dt) -> the torque the motor applied in the last step
static int joint_motor_torque(lua_State *L) {
    p2_handle *j = joint(L);
    double torque = 0;
    int rc = cb2_joint_motor_torque(j->world->w, j->id, p2_number(L, 2), &torque);
    if (rc < 0) return p2_fail(L, rc, "joint:motor_torque");
    lua_pushnumber(L, torque);
    return 1;
}

static const luaL_Reg joint_methods[] = {
    {"id", joint_id},
    {"angle", joint_angle},
    {"speed", joint_speed},
    {"state", joint_state},
    {"set_motor", joint_set_motor},
    {"enable_motor", joint_enable_motor},
    {"set_limits", joint_set_limits},
    {"motor_torque", joint_motor_torque},
    {NULL, NULL},
};

void p2_new_type(lua_State *L, const char *tname, const luaL_Reg *methods);

void p2_open_joint(lua_State *L) {
    p2_new_type(L, P2_JOINT, joint_methods);
    lua_pop(L, 1);
}
