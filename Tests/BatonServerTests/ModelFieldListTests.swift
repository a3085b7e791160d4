import Fluent
import Foundation
import Testing
@testable import BatonServer

/// Every model lists its Fluent properties by hand (reflection on every row was the hottest thing
/// in the profile). These lists must name exactly the properties the class declares.
@Suite("Model property lists")
struct ModelFieldListTests {
    static let models: [any Model.Type] = [
        User.self, Workspace.self, Membership.self, Team.self, TeamMember.self, Invitation.self, AuthToken.self,
        LoginFailure.self, OutboxEmail.self, EventRecord.self, Project.self, ProjectMember.self, Stage.self,
        CustomField.self, WorkTask.self, TaskTag.self, TaskWatcher.self, TaskFieldValue.self, ChecklistItem.self,
        Checkpoint.self, TaskComment.self, SavedView.self, BriefProposal.self, InboxEntry.self, NotificationSettingsRow.self,
        Reminder.self, Rule.self, RuleRun.self, RuleViewMatch.self, PasswordResetLink.self, PasswordResetRequest.self,
        ApprovalTemplate.self, ApprovalRequest.self, ApprovalParticipant.self, ApprovalWait.self, ApprovalActionRecord.self,
        DecisionRightsRecord.self, OutOfOffice.self, MessageChannel.self, ChannelMember.self, Message.self, MessageRevision.self,
        MessageReaction.self, MessageMention.self, ThreadFollow.self, ChannelPin.self, MessageAck.self, ScheduledMessage.self,
    ]

    @Test("the hand-written list matches the declared properties", arguments: models.map { ModelCase($0) })
    func listMatchesDeclarations(model: ModelCase) {
        let instance = model.type.init()
        let declared = Mirror(reflecting: instance).children.compactMap { $0.value as? any AnyProperty }
        let listed = instance.properties
        #expect(Self.keys(listed) == Self.keys(declared), "\(model)")
        #expect(listed.count == declared.count, "\(model)")
    }

    static func keys(_ properties: [any AnyProperty]) -> [String] {
        properties.compactMap { $0 as? any AnyDatabaseProperty }.flatMap(\.keys).map(\.description)
    }

    @Test("every model class in the server is checked here")
    func everyModelIsChecked() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/BatonServer").standardizedFileURL
        var declared: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /final class (\w+): Model\b/) { declared.insert(String(match.output.1)) }
        }
        #expect(declared.count > 10)
        #expect(declared == Set(Self.models.map { String(describing: $0) }))
    }
}

struct ModelCase: CustomStringConvertible, Sendable {
    let type: any Model.Type
    init(_ type: any Model.Type) { self.type = type }
    var description: String { String(describing: type) }
}
