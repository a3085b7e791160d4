import BatonCore

/// Input checks shared by the services, each failing with a 422 that names the field.
enum Validate {
    static func email(_ raw: String, field: String = "email") throws -> String {
        guard let email = EmailAddress.normalized(raw) else {
            throw BatonError.validation(field, "Enter a valid email address.")
        }
        return email
    }

    static func name(_ raw: String) throws -> String {
        try DisplayText.validate(raw, label: "Name", max: 100).orFail(field: "name")
    }

    static func password(_ password: String, field: String) throws {
        if let problem = PasswordPolicy.problem(with: password) { throw BatonError.validation(field, problem) }
    }
}
