import CBox2D

/// A Box2D world driven from Swift, over the same `extern "C"` shim (`CBox2D`) that
/// Lua environments reach through `physics2d`. Thin on purpose: tests use it to check
/// the physics itself, with no Lua in between.
///
/// Not thread-safe; bodies and joints are integer ids valid for the world's lifetime.
public final class PhysicsWorld {
    public enum BodyType: Int32 { case `static` = 0, kinematic = 1, dynamic = 2 }

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let code: Int
        public var description: String {
            switch code {
            case CB2_ERR_BAD_ARGUMENT: return "bad argument"
            case CB2_ERR_LIMIT: return "limit reached (\(CB2_MAX_BODIES) bodies, \(CB2_MAX_FIXTURES) fixtures, \(CB2_MAX_JOINTS) joints)"
            case CB2_ERR_NO_OBJECT: return "no such object"
            case CB2_ERR_MEMORY: return "out of memory"
            case CB2_ERR_CONTACTS: return "more than \(CB2_MAX_CONTACTS) contacts in one world"
            default: return "error \(code)"
            }
        }
        public static let limit = Failure(code: CB2_ERR_LIMIT)
    }

    public struct Fixture {
        public var density = 0.0, friction = 0.2, restitution = 0.0
        public var category: UInt16 = 1, mask: UInt16 = 0xFFFF
        public init(density: Double = 0, friction: Double = 0.2, restitution: Double = 0, category: UInt16 = 1, mask: UInt16 = 0xFFFF) {
            self.density = density; self.friction = friction; self.restitution = restitution
            self.category = category; self.mask = mask
        }
        var c: cb2_fixture_props {
            var p = cb2_default_fixture()
            p.density = density; p.friction = friction; p.restitution = restitution
            p.category = category; p.mask = mask
            return p
        }
    }

    public struct BodyState: Equatable {
        public var x, y, angle, vx, vy, angularVelocity: Double
    }

    public struct ContactEvent: Equatable {
        public var began: Bool
        public var bodyA, bodyB, fixtureA, fixtureB: Int
    }

    public struct RayHit: Equatable {
        public var fraction, x, y: Double
        /// nil when nothing was hit.
        public var body: Int?
    }

    private let world: OpaquePointer

    public init(gravityX: Double = 0, gravityY: Double = -10, allowSleep: Bool = true) {
        world = cb2_world_new(gravityX, gravityY, allowSleep ? 1 : 0)!
    }

    deinit { cb2_world_free(world) }

    private func check(_ code: Int32) throws(Failure) -> Int {
        if code < 0 { throw Failure(code: Int(code)) }
        return Int(code)
    }

    public var bodyCount: Int { Int(cb2_body_count(world)) }

    public func body(_ type: BodyType, x: Double = 0, y: Double = 0, angle: Double = 0) throws(Failure) -> Int {
        var def = cb2_default_body()
        def.type = type.rawValue; def.x = x; def.y = y; def.angle = angle
        return try check(cb2_body_new(world, &def))
    }

    @discardableResult
    public func addBox(_ body: Int, halfWidth: Double, halfHeight: Double, _ fixture: Fixture = Fixture()) throws(Failure) -> Int {
        var p = fixture.c
        return try check(cb2_add_box(world, Int32(body), halfWidth, halfHeight, 0, 0, 0, &p))
    }

    @discardableResult
    public func addPolygon(_ body: Int, _ points: [(Double, Double)], _ fixture: Fixture = Fixture()) throws(Failure) -> Int {
        var p = fixture.c
        let xy = points.flatMap { [$0.0, $0.1] }
        return try check(cb2_add_polygon(world, Int32(body), xy, Int32(points.count), &p))
    }

    @discardableResult
    public func addCircle(_ body: Int, radius: Double, _ fixture: Fixture = Fixture()) throws(Failure) -> Int {
        var p = fixture.c
        return try check(cb2_add_circle(world, Int32(body), 0, 0, radius, &p))
    }

    @discardableResult
    public func addEdge(_ body: Int, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ fixture: Fixture = Fixture()) throws(Failure) -> Int {
        var p = fixture.c
        return try check(cb2_add_edge(world, Int32(body), x1, y1, x2, y2, &p))
    }

    /// A revolute joint at `anchorA` (in A's frame) / `anchorB` (in B's frame).
    public func revolute(_ a: Int, _ b: Int, anchorA: (Double, Double), anchorB: (Double, Double),
                         limits: ClosedRange<Double>? = nil, motorSpeed: Double? = nil, maxTorque: Double = 0) throws(Failure) -> Int {
        var d = cb2_default_revolute()
        d.body_a = Int32(a); d.body_b = Int32(b)
        d.anchor_ax = anchorA.0; d.anchor_ay = anchorA.1; d.anchor_bx = anchorB.0; d.anchor_by = anchorB.1
        if let limits { d.enable_limit = 1; d.lower = limits.lowerBound; d.upper = limits.upperBound }
        if let motorSpeed { d.enable_motor = 1; d.motor_speed = motorSpeed; d.max_motor_torque = maxTorque }
        return try check(cb2_revolute_new(world, &d))
    }

    public func setMotor(_ joint: Int, speed: Double, maxTorque: Double) throws(Failure) {
        _ = try check(cb2_joint_set_motor(world, Int32(joint), speed, maxTorque))
    }

    /// Joint angle and speed.
    public func joint(_ joint: Int) throws(Failure) -> (angle: Double, speed: Double) {
        var out = (0.0, 0.0)
        _ = try withUnsafeMutableBytes(of: &out) { raw throws(Failure) in
            try check(cb2_joint_state(world, Int32(joint), raw.baseAddress!.assumingMemoryBound(to: Double.self)))
        }
        return (out.0, out.1)
    }

    public func state(_ body: Int) throws(Failure) -> BodyState {
        var s = [Double](repeating: 0, count: 6)
        _ = try check(cb2_body_state(world, Int32(body), &s))
        return BodyState(x: s[0], y: s[1], angle: s[2], vx: s[3], vy: s[4], angularVelocity: s[5])
    }

    public func applyForce(_ body: Int, _ fx: Double, _ fy: Double) throws(Failure) {
        _ = try check(cb2_body_apply_force(world, Int32(body), fx, fy, 1, 0, 0, 1))
    }

    public func step(_ dt: Double, velocityIterations: Int = 8, positionIterations: Int = 3) throws(Failure) {
        _ = try check(cb2_world_step(world, dt, Int32(velocityIterations), Int32(positionIterations)))
    }

    /// Begin/end events of the last step, in Box2D's order.
    public var contacts: [ContactEvent] {
        let n = Int(cb2_contact_event_count(world))
        guard n > 0, let events = cb2_contact_events(world) else { return [] }
        return (0..<n).map { i in
            let e = events[i]
            return ContactEvent(began: e.began != 0, bodyA: Int(e.body_a), bodyB: Int(e.body_b),
                                fixtureA: Int(e.fixture_a), fixtureB: Int(e.fixture_b))
        }
    }

    /// The closest hit along the segment among fixtures whose category meets `mask`.
    public func raycast(from p1: (Double, Double), to p2: (Double, Double), mask: UInt16 = 0xFFFF) throws(Failure) -> RayHit {
        var hit = cb2_ray_hit()
        _ = try check(cb2_raycast(world, p1.0, p1.1, p2.0, p2.1, mask, &hit))
        return RayHit(fraction: hit.fraction, x: hit.x, y: hit.y, body: hit.body >= 0 ? Int(hit.body) : nil)
    }
}
