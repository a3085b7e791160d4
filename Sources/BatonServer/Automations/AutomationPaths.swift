/// The rules' pages: every route and link to them is built from these.
enum AutomationPaths {
    static let rules = PagePath("automations.rules", "/w/:workspaceID/projects/:projectID/rules")
    static let fromTemplate = PagePath("automations.fromTemplate", "/w/:workspaceID/projects/:projectID/rules/from-template")
    static let newRule = PagePath("automations.newRule", "/w/:workspaceID/projects/:projectID/rules/new")
    static let previewNew = PagePath("automations.previewNew", "/w/:workspaceID/projects/:projectID/rules/preview")
    static let rule = PagePath("automations.rule", "/w/:workspaceID/rules/:ruleID")
    static let previewRule = PagePath("automations.previewRule", "/w/:workspaceID/rules/:ruleID/preview")
    static let toggleRule = PagePath("automations.toggleRule", "/w/:workspaceID/rules/:ruleID/toggle")
    static let deleteRule = PagePath("automations.deleteRule", "/w/:workspaceID/rules/:ruleID/delete")
    static let runs = PagePath("automations.runs", "/w/:workspaceID/rules/:ruleID/runs")

    static let all = [rules, fromTemplate, newRule, previewNew, rule, previewRule, toggleRule, deleteRule, runs]
}
