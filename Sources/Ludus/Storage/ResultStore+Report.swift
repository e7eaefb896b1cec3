import Foundation
import GRDB

/// What `ludus report` needs beyond the loops' own rows: the teacher's state at each
/// evaluation (``TeacherSnapshotting``). Additive: older databases gain the table on open.
extension ResultStore {
    static func registerReportTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-teach-teacher-state") { db in
            try db.create(table: "teach_teacher_state", ifNotExists: true) { t in
                t.column("run_id", .integer).notNull().references("teach_run")
                t.column("episode", .integer).notNull()
                /// JSON, see TeacherSnapshotting.
                t.column("state", .text).notNull()
                t.primaryKey(["run_id", "episode"])
            }
        }
    }
}

extension ResultBatch {
    /// The teacher's state at an evaluation (see ``TeacherSnapshotting``).
    public func teacherState(run: Int64, episode: Int, state: String) {
        add("INSERT OR REPLACE INTO teach_teacher_state (run_id, episode, state) VALUES (?, ?, ?)", [run, episode, state])
    }
}
