// Revolute joints: limits, motors (speed and torque), angle and speed reads.
#include "world.hpp"

extern "C" cb2_revolute_def cb2_default_revolute(void) {
    cb2_revolute_def d;
    d.body_a = d.body_b = -1;
    d.anchor_ax = d.anchor_ay = d.anchor_bx = d.anchor_by = 0;
    d.reference_angle = 0;
    d.enable_limit = 0;
    d.lower = d.upper = 0;
    d.enable_motor = 0;
    d.motor_speed = d.max_motor_torque = 0;
    d.collide_connected = 0;
    return d;
}

extern "C" int cb2_revolute_new(cb2_world *w, const cb2_revolute_def *d) {
    if (w == nullptr || d == nullptr) return CB2_ERR_BAD_ARGUMENT;
    b2Body *a = cb2_body(w, d->body_a);
    b2Body *b = cb2_body(w, d->body_b);
    if (a == nullptr || b == nullptr) return CB2_ERR_NO_OBJECT;
    if (a == b) return CB2_ERR_BAD_ARGUMENT;
    const double numbers[] = {d->anchor_ax, d->anchor_ay, d->anchor_bx, d->anchor_by, d->reference_angle,
                              d->lower, d->upper, d->motor_speed, d->max_motor_torque};
    for (double v : numbers)
        if (!cb2_ok(v)) return CB2_ERR_BAD_ARGUMENT;
    if (d->lower > d->upper || d->max_motor_torque < 0) return CB2_ERR_BAD_ARGUMENT;
    if ((int)w->joints.size() >= CB2_MAX_JOINTS) return CB2_ERR_LIMIT;
    if (w->world.IsLocked()) return CB2_ERR_LOCKED;
    return cb2_guard([&]() -> int {
        w->joints.reserve(w->joints.size() + 1);
        b2RevoluteJointDef def;
        def.bodyA = a;
        def.bodyB = b;
        def.localAnchorA.Set((float)d->anchor_ax, (float)d->anchor_ay);
        def.localAnchorB.Set((float)d->anchor_bx, (float)d->anchor_by);
        def.referenceAngle = (float)d->reference_angle;
        def.enableLimit = d->enable_limit != 0;
        def.lowerAngle = (float)d->lower;
        def.upperAngle = (float)d->upper;
        def.enableMotor = d->enable_motor != 0;
        def.motorSpeed = (float)d->motor_speed;
        def.maxMotorTorque = (float)d->max_motor_torque;
        def.collideConnected = d->collide_connected != 0;
        def.userData.pointer = (uintptr_t)w->joints.size() + 1;
        w->joints.push_back(static_cast<b2RevoluteJoint *>(w->world.CreateJoint(&def)));
        return (int)w->joints.size() - 1;
    });
}

extern "C" int cb2_joint_set_motor(cb2_world *w, int id, double speed, double max_torque) {
    b2RevoluteJoint *j = cb2_joint(w, id);
    if (j == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(speed) || !cb2_ok(max_torque) || max_torque < 0) return CB2_ERR_BAD_ARGUMENT;
    j->SetMotorSpeed((float)speed);
    j->SetMaxMotorTorque((float)max_torque);
    return 0;
}

extern "C" int cb2_joint_enable_motor(cb2_world *w, int id, int enable) {
    b2RevoluteJoint *j = cb2_joint(w, id);
    if (j == nullptr) return CB2_ERR_NO_OBJECT;
    j->EnableMotor(enable != 0);
    return 0;
}

extern "C" int cb2_joint_set_limits(cb2_world *w, int id, int enable, double lower, double upper) {
    b2RevoluteJoint *j = cb2_joint(w, id);
    if (j == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(lower) || !cb2_ok(upper) || lower > upper) return CB2_ERR_BAD_ARGUMENT;
    j->SetLimits((float)lower, (float)upper);
    j->EnableLimit(enable != 0);
    return 0;
}

extern "C" int cb2_joint_state(const cb2_world *w, int id, double out[2]) {
    b2RevoluteJoint *j = cb2_joint(w, id);
    if (j == nullptr) return CB2_ERR_NO_OBJECT;
    out[0] = j->GetJointAngle();
    out[1] = j->GetJointSpeed();
    return 0;
}

extern "C" int cb2_joint_motor_torque(const cb2_world *w, int id, double inverse_dt, double *torque) {
    b2RevoluteJoint *j = cb2_joint(w, id);
    if (j == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(inverse_dt)) return CB2_ERR_BAD_ARGUMENT;
    *torque = j->GetMotorTorque((float)inverse_dt);
    return 0;
}
