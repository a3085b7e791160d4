/// Work's pages: every route and link to them is built from these.
enum WorkPaths {
    static let projects = PagePath("work.projects", "/w/:workspaceID/projects")
    static let board = PagePath("work.board", "/w/:workspaceID/projects/:projectID")
    static let quickAdd = PagePath("work.quickAdd", "/w/:workspaceID/projects/:projectID/tasks")
    static let projectDashboard = PagePath("work.projectDashboard", "/w/:workspaceID/projects/:projectID/dashboard")
    static let dashboard = PagePath("work.dashboard", "/w/:workspaceID/dashboard")
    static let table = PagePath("work.table", "/w/:workspaceID/projects/:projectID/table")
    static let bulk = PagePath("work.bulk", "/w/:workspaceID/projects/:projectID/bulk")
    static let views = PagePath("work.views", "/w/:workspaceID/projects/:projectID/views")
    static let deleteView = PagePath("work.deleteView", "/w/:workspaceID/projects/:projectID/views/:viewID/delete")
    static let myWork = PagePath("work.myWork", "/w/:workspaceID/my-work")
    static let calendar = PagePath("work.calendar", "/w/:workspaceID/calendar")

    static let task = PagePath("work.task", "/w/:workspaceID/tasks/:taskID")
    static let comments = PagePath("work.comments", "/w/:workspaceID/tasks/:taskID/comments")
    static let accept = PagePath("work.accept", "/w/:workspaceID/tasks/:taskID/accept")
    static let checklist = PagePath("work.checklist", "/w/:workspaceID/tasks/:taskID/checklist")
    static let checklistItem = PagePath("work.checklistItem", "/w/:workspaceID/tasks/:taskID/checklist/:itemID")
    static let checkpoints = PagePath("work.checkpoints", "/w/:workspaceID/tasks/:taskID/checkpoints")
    static let checkpoint = PagePath("work.checkpoint", "/w/:workspaceID/tasks/:taskID/checkpoints/:checkpointID")
    static let watchers = PagePath("work.watchers", "/w/:workspaceID/tasks/:taskID/watchers")
    static let subtasks = PagePath("work.subtasks", "/w/:workspaceID/tasks/:taskID/subtasks")
    static let completion = PagePath("work.completion", "/w/:workspaceID/tasks/:taskID/completion")
    static let answer = PagePath("work.answer", "/w/:workspaceID/tasks/:taskID/answer")
    static let proposals = PagePath("work.proposals", "/w/:workspaceID/tasks/:taskID/proposals")
    static let proposal = PagePath("work.proposal", "/w/:workspaceID/tasks/:taskID/proposals/:proposalID")
    static let waiverRequest = PagePath("work.waiverRequest", "/w/:workspaceID/tasks/:taskID/checklist/:itemID/waiver-request")
    static let waiverDecision = PagePath("work.waiverDecision", "/w/:workspaceID/tasks/:taskID/checklist/:itemID/waiver-decision")
    static let archiveTask = PagePath("work.archiveTask", "/w/:workspaceID/tasks/:taskID/archive")
    static let restoreTask = PagePath("work.restoreTask", "/w/:workspaceID/tasks/:taskID/restore")
    static let selfAssessment = PagePath("work.selfAssessment", "/w/:workspaceID/tasks/:taskID/checkpoints/:checkpointID/self-assessment")

    static let settings = PagePath("work.settings", "/w/:workspaceID/projects/:projectID/settings")
    static let stages = PagePath("work.stages", "/w/:workspaceID/projects/:projectID/settings/stages")
    static let stage = PagePath("work.stage", "/w/:workspaceID/projects/:projectID/settings/stages/:stageID")
    static let moveStage = PagePath("work.moveStage", "/w/:workspaceID/projects/:projectID/settings/stages/:stageID/move")
    static let removeStage = PagePath("work.removeStage", "/w/:workspaceID/projects/:projectID/settings/stages/:stageID/remove")
    static let fields = PagePath("work.fields", "/w/:workspaceID/projects/:projectID/settings/fields")
    static let importCSV = PagePath("work.import", "/w/:workspaceID/projects/:projectID/settings/import")
    static let archiveProject = PagePath("work.archiveProject", "/w/:workspaceID/projects/:projectID/archive")
    static let restoreProject = PagePath("work.restoreProject", "/w/:workspaceID/projects/:projectID/restore")

    static let all: [PagePath] = [
        projects, board, quickAdd, projectDashboard, dashboard, table, bulk, views, deleteView, myWork, calendar,
        task, comments, accept, checklist, checklistItem, checkpoints, checkpoint, watchers, subtasks,
        completion, answer, proposals, proposal, waiverRequest, waiverDecision, selfAssessment, archiveTask, restoreTask,
        settings, stages, stage, moveStage, removeStage, fields, importCSV, archiveProject, restoreProject,
    ]
}
