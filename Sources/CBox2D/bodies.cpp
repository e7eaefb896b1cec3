// Bodies and their fixtures (polygon, box, circle, edge, chain).
#include "world.hpp"

extern "C" cb2_fixture_props cb2_default_fixture(void) {
    cb2_fixture_props p;
    p.density = 0;
    p.friction = 0.2;
    p.restitution = 0;
    p.category = 0x0001;
    p.mask = 0xFFFF;
    p.group = 0;
    p.sensor = 0;
    return p;
}

extern "C" cb2_body_def cb2_default_body(void) {
    cb2_body_def d;
    d.type = CB2_STATIC;
    d.x = d.y = d.angle = 0;
    d.linear_damping = d.angular_damping = 0;
    d.fixed_rotation = 0;
    d.bullet = 0;
    return d;
}

extern "C" int cb2_body_new(cb2_world *w, const cb2_body_def *d) {
    if (w == nullptr || d == nullptr) return CB2_ERR_BAD_ARGUMENT;
    if (d->type < CB2_STATIC || d->type > CB2_DYNAMIC) return CB2_ERR_BAD_ARGUMENT;
    if (!cb2_ok(d->x) || !cb2_ok(d->y) || !cb2_ok(d->angle)) return CB2_ERR_BAD_ARGUMENT;
    if (!cb2_ok(d->linear_damping) || d->linear_damping < 0) return CB2_ERR_BAD_ARGUMENT;
    if (!cb2_ok(d->angular_damping) || d->angular_damping < 0) return CB2_ERR_BAD_ARGUMENT;
    if ((int)w->bodies.size() >= CB2_MAX_BODIES) return CB2_ERR_LIMIT;
    if (w->world.IsLocked()) return CB2_ERR_LOCKED;
    return cb2_guard([&]() -> int {
        w->bodies.reserve(w->bodies.size() + 1);  // may throw before Box2D holds anything
        b2BodyDef def;
        def.type = (b2BodyType)d->type;
        def.position.Set((float)d->x, (float)d->y);
        def.angle = (float)d->angle;
        def.linearDamping = (float)d->linear_damping;
        def.angularDamping = (float)d->angular_damping;
        def.fixedRotation = d->fixed_rotation != 0;
        def.bullet = d->bullet != 0;
        def.userData.pointer = (uintptr_t)w->bodies.size() + 1;
        b2Body *body = w->world.CreateBody(&def);
        w->bodies.push_back(body);
        return (int)w->bodies.size() - 1;
    });
}

static bool props_ok(const cb2_fixture_props *p) {
    return p != nullptr && cb2_ok(p->density) && p->density >= 0 && cb2_ok(p->friction) && p->friction >= 0 &&
           cb2_ok(p->restitution) && p->restitution >= 0;
}

/// Attaches a shape; `slots` is how many fixtures it counts for against the cap.
static int attach(cb2_world *w, int body_id, const b2Shape *shape, const cb2_fixture_props *p, int slots) {
    b2Body *body = cb2_body(w, body_id);
    if (body == nullptr) return CB2_ERR_NO_OBJECT;
    if (!props_ok(p)) return CB2_ERR_BAD_ARGUMENT;
    if (w->fixture_slots + slots > CB2_MAX_FIXTURES) return CB2_ERR_LIMIT;
    if (body->GetType() != b2_staticBody) {
        int on_body = 0;
        for (const b2Fixture *f = body->GetFixtureList(); f != nullptr; f = f->GetNext()) on_body++;
        if (on_body + slots > CB2_MAX_BODY_FIXTURES) return CB2_ERR_LIMIT;
    }
    if (w->world.IsLocked()) return CB2_ERR_LOCKED;
    return cb2_guard([&]() -> int {
        w->fixtures.reserve(w->fixtures.size() + 1);
        b2FixtureDef def;
        def.shape = shape;
        def.density = (float)p->density;
        def.friction = (float)p->friction;
        def.restitution = (float)p->restitution;
        def.filter.categoryBits = p->category;
        def.filter.maskBits = p->mask;
        def.filter.groupIndex = p->group;
        def.isSensor = p->sensor != 0;
        def.userData.pointer = (uintptr_t)w->fixtures.size() + 1;
        w->fixtures.push_back(body->CreateFixture(&def));
        w->fixture_slots += slots;
        return (int)w->fixtures.size() - 1;
    });
}

static double cross(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

/// Copies a strictly convex polygon counter-clockwise, so that Box2D's hull keeps every vertex.
static bool convex_ccw(const double *xy, int n, b2Vec2 *out) {
    double area = 0;
    for (int i = 0; i < n; i++) {
        if (!cb2_ok(xy[2 * i]) || !cb2_ok(xy[2 * i + 1])) return false;
        int j = (i + 1) % n;
        area += cross(xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]);
    }
    if (!(std::fabs(area) > 1e-9)) return false;
    for (int i = 0; i < n; i++) {
        int k = area > 0 ? i : n - 1 - i;
        out[i].Set((float)xy[2 * k], (float)xy[2 * k + 1]);
    }
    const float weld = 0.5f * b2_linearSlop;
    for (int i = 0; i < n; i++) {
        b2Vec2 a = out[i], b = out[(i + 1) % n], c = out[(i + 2) % n];
        if (b2DistanceSquared(a, b) <= weld * weld) return false;
        if (b2Cross(b - a, c - b) <= 1e-7f) return false;  // a reflex or collinear corner
    }
    return true;
}

extern "C" int cb2_add_polygon(cb2_world *w, int body, const double *xy, int count, const cb2_fixture_props *p) {
    if (xy == nullptr || count < 3 || count > CB2_MAX_POLYGON_VERTICES) return CB2_ERR_BAD_ARGUMENT;
    b2Vec2 points[CB2_MAX_POLYGON_VERTICES];
    if (!convex_ccw(xy, count, points)) return CB2_ERR_BAD_ARGUMENT;
    b2PolygonShape shape;
    shape.Set(points, count);
    if (shape.m_count != count) return CB2_ERR_BAD_ARGUMENT;  // the hull dropped a vertex
    return attach(w, body, &shape, p, 1);
}

extern "C" int cb2_add_box(cb2_world *w, int body, double hw, double hh, double cx, double cy, double angle,
                           const cb2_fixture_props *p) {
    if (!cb2_ok(hw) || !cb2_ok(hh) || !cb2_ok(cx) || !cb2_ok(cy) || !cb2_ok(angle)) return CB2_ERR_BAD_ARGUMENT;
    if (hw < b2_linearSlop || hh < b2_linearSlop) return CB2_ERR_BAD_ARGUMENT;
    b2PolygonShape shape;
    shape.SetAsBox((float)hw, (float)hh, b2Vec2((float)cx, (float)cy), (float)angle);
    return attach(w, body, &shape, p, 1);
}

extern "C" int cb2_add_circle(cb2_world *w, int body, double cx, double cy, double r, const cb2_fixture_props *p) {
    if (!cb2_ok(cx) || !cb2_ok(cy) || !cb2_ok(r) || r < b2_linearSlop) return CB2_ERR_BAD_ARGUMENT;
    b2CircleShape shape;
    shape.m_p.Set((float)cx, (float)cy);
    shape.m_radius = (float)r;
    return attach(w, body, &shape, p, 1);
}

extern "C" int cb2_add_edge(cb2_world *w, int body, double x1, double y1, double x2, double y2,
                            const cb2_fixture_props *p) {
    if (!cb2_ok(x1) || !cb2_ok(y1) || !cb2_ok(x2) || !cb2_ok(y2)) return CB2_ERR_BAD_ARGUMENT;
    b2Vec2 a((float)x1, (float)y1), b((float)x2, (float)y2);
    if (b2DistanceSquared(a, b) <= b2_linearSlop * b2_linearSlop) return CB2_ERR_BAD_ARGUMENT;
    b2EdgeShape shape;
    shape.SetTwoSided(a, b);
    return attach(w, body, &shape, p, 1);
}

extern "C" int cb2_add_chain(cb2_world *w, int body, const double *xy, int count, int loop,
                             const cb2_fixture_props *p) {
    if (xy == nullptr || count < (loop ? 3 : 2) || count > CB2_MAX_FIXTURES) return CB2_ERR_BAD_ARGUMENT;
    if (w != nullptr && w->fixture_slots + count > CB2_MAX_FIXTURES) return CB2_ERR_LIMIT;
    return cb2_guard([&]() -> int {
        std::vector<b2Vec2> points((size_t)count);
        for (int i = 0; i < count; i++) {
            if (!cb2_ok(xy[2 * i]) || !cb2_ok(xy[2 * i + 1])) return CB2_ERR_BAD_ARGUMENT;
            points[(size_t)i].Set((float)xy[2 * i], (float)xy[2 * i + 1]);
            // Box2D requires neighbours farther apart than the linear slop.
            if (i > 0 && b2DistanceSquared(points[(size_t)i], points[(size_t)i - 1]) <= b2_linearSlop * b2_linearSlop)
                return CB2_ERR_BAD_ARGUMENT;
        }
        b2ChainShape shape;
        if (loop) {
            if (b2DistanceSquared(points[0], points[(size_t)count - 1]) <= b2_linearSlop * b2_linearSlop)
                return CB2_ERR_BAD_ARGUMENT;
            shape.CreateLoop(points.data(), count);
        } else {
            // Ghost vertices extend the end segments, so bodies slide smoothly off the ends.
            b2Vec2 prev = points[0] + (points[0] - points[1]);
            b2Vec2 next = points[(size_t)count - 1] + (points[(size_t)count - 1] - points[(size_t)count - 2]);
            shape.CreateChain(points.data(), count, prev, next);
        }
        return attach(w, body, &shape, p, loop ? count : count - 1);
    });
}

extern "C" int cb2_body_state(const cb2_world *w, int id, double out[6]) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    const b2Vec2 &p = b->GetPosition();
    const b2Vec2 &v = b->GetLinearVelocity();
    out[0] = p.x;
    out[1] = p.y;
    out[2] = b->GetAngle();
    out[3] = v.x;
    out[4] = v.y;
    out[5] = b->GetAngularVelocity();
    return 0;
}

extern "C" int cb2_body_mass(const cb2_world *w, int id, double *mass, double *inertia) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    *mass = b->GetMass();
    *inertia = b->GetInertia();
    return 0;
}

extern "C" int cb2_body_awake(const cb2_world *w, int id) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    return b->IsAwake() ? 1 : 0;
}

extern "C" int cb2_body_apply_force(cb2_world *w, int id, double fx, double fy, int at_center, double px, double py,
                                    int wake) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(fx) || !cb2_ok(fy) || !cb2_ok(px) || !cb2_ok(py)) return CB2_ERR_BAD_ARGUMENT;
    b2Vec2 f((float)fx, (float)fy);
    if (at_center) b->ApplyForceToCenter(f, wake != 0);
    else b->ApplyForce(f, b2Vec2((float)px, (float)py), wake != 0);
    return 0;
}

extern "C" int cb2_body_apply_impulse(cb2_world *w, int id, double ix, double iy, int at_center, double px,
                                      double py, int wake) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(ix) || !cb2_ok(iy) || !cb2_ok(px) || !cb2_ok(py)) return CB2_ERR_BAD_ARGUMENT;
    b2Vec2 i((float)ix, (float)iy);
    if (at_center) b->ApplyLinearImpulseToCenter(i, wake != 0);
    else b->ApplyLinearImpulse(i, b2Vec2((float)px, (float)py), wake != 0);
    return 0;
}

extern "C" int cb2_body_apply_torque(cb2_world *w, int id, double torque, int wake) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(torque)) return CB2_ERR_BAD_ARGUMENT;
    b->ApplyTorque((float)torque, wake != 0);
    return 0;
}

extern "C" int cb2_body_set_transform(cb2_world *w, int id, double x, double y, double angle) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(x) || !cb2_ok(y) || !cb2_ok(angle)) return CB2_ERR_BAD_ARGUMENT;
    if (w->world.IsLocked()) return CB2_ERR_LOCKED;
    b->SetTransform(b2Vec2((float)x, (float)y), (float)angle);
    return 0;
}

extern "C" int cb2_body_set_velocity(cb2_world *w, int id, double vx, double vy, double angular) {
    b2Body *b = cb2_body(w, id);
    if (b == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(vx) || !cb2_ok(vy) || !cb2_ok(angular)) return CB2_ERR_BAD_ARGUMENT;
    b->SetLinearVelocity(b2Vec2((float)vx, (float)vy));
    b->SetAngularVelocity((float)angular);
    return 0;
}
