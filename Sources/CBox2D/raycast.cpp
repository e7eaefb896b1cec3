// Ray casts: the closest hit among fixtures whose category matches a mask.
#include "world.hpp"

namespace {
/// Keeps the closest accepted hit; Box2D clips the ray to the returned fraction.
struct ClosestHit : public b2RayCastCallback {
    uint16_t mask;
    cb2_ray_hit *hit;
    float ReportFixture(b2Fixture *fixture, const b2Vec2 &point, const b2Vec2 &normal, float fraction) override {
        if ((fixture->GetFilterData().categoryBits & mask) == 0) return -1.0f;  // ignore, keep going
        hit->fraction = fraction;
        hit->x = point.x;
        hit->y = point.y;
        hit->nx = normal.x;
        hit->ny = normal.y;
        hit->fixture = (int)fixture->GetUserData().pointer - 1;
        hit->body = (int)fixture->GetBody()->GetUserData().pointer - 1;
        return fraction;
    }
};
}  // namespace

static void cast(const cb2_world *w, b2Vec2 p1, b2Vec2 p2, uint16_t mask, cb2_ray_hit *hit) {
    hit->fraction = 1;
    hit->x = p2.x;
    hit->y = p2.y;
    hit->nx = hit->ny = 0;
    hit->body = hit->fixture = -1;
    if (b2DistanceSquared(p1, p2) <= 0) return;  // Box2D asserts on a zero-length ray
    ClosestHit callback;
    callback.mask = mask;
    callback.hit = hit;
    w->world.RayCast(&callback, p1, p2);
}

extern "C" int cb2_raycast(const cb2_world *w, double x1, double y1, double x2, double y2, uint16_t mask,
                           cb2_ray_hit *hit) {
    if (w == nullptr || hit == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(x1) || !cb2_ok(y1) || !cb2_ok(x2) || !cb2_ok(y2)) return CB2_ERR_BAD_ARGUMENT;
    cast(w, b2Vec2((float)x1, (float)y1), b2Vec2((float)x2, (float)y2), mask, hit);
    return 0;
}

extern "C" int cb2_raycast_fan(const cb2_world *w, double x, double y, const double *dx, const double *dy, int count,
                               uint16_t mask, double *fractions) {
    if (w == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(x) || !cb2_ok(y) || count < 0) return CB2_ERR_BAD_ARGUMENT;
    b2Vec2 p1((float)x, (float)y);
    for (int i = 0; i < count; i++) {
        if (!cb2_ok(x + dx[i]) || !cb2_ok(y + dy[i])) return CB2_ERR_BAD_ARGUMENT;
        cb2_ray_hit hit;
        cast(w, p1, b2Vec2((float)(x + dx[i]), (float)(y + dy[i])), mask, &hit);
        fractions[i] = hit.fraction;
    }
    return 0;
}
