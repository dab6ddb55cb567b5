"""The roles and their permissions, as data. Used by the data migration and tests."""

CASEWORKER = "sagsbehandler"
SUPERVISOR = "teamleder"
NATIONAL_ADMIN = "landsadministrator"

_CASEWORKER = [
    ("registrations", "add_registration"),
    ("registrations", "view_registration"),
    ("registrations", "add_offer"),
    ("registrations", "view_offer"),
    ("registrations", "print_letter"),
]
_SUPERVISOR = [
    *_CASEWORKER,
    ("registrations", "review_registration"),
    ("registrations", "export_registration"),
    ("audit", "view_auditentry"),
]
_NATIONAL = [
    *_SUPERVISOR,
    ("accounts", "view_all_jobcentres"),
    ("registrations", "view_full_personnummer"),
    ("accounts", "view_jobcentre"),
    ("accounts", "change_jobcentre"),
    ("accounts", "view_user"),
    ("accounts", "add_user"),
    ("accounts", "change_user"),
    # Sign-in through the municipalities' identity providers (OpenID Connect).
    ("accounts", "view_identityprovider"),
    ("accounts", "add_identityprovider"),
    ("accounts", "change_identityprovider"),
    ("accounts", "delete_identityprovider"),
    ("accounts", "view_providerjobcentre"),
    ("accounts", "add_providerjobcentre"),
    ("accounts", "change_providerjobcentre"),
    ("accounts", "delete_providerjobcentre"),
    ("accounts", "view_rolemapping"),
    ("accounts", "add_rolemapping"),
    ("accounts", "change_rolemapping"),
    ("accounts", "delete_rolemapping"),
    # Login locks (django-axes): see them and lift them by deleting the attempt.
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accesslog"),
]

#: The roles from the most rights to the fewest: a sign-in whose claims give several
#: roles gets the first of them.
ROLES_BY_RANK: tuple[str, ...] = (NATIONAL_ADMIN, SUPERVISOR, CASEWORKER)

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    CASEWORKER: _CASEWORKER,
    SUPERVISOR: _SUPERVISOR,
    NATIONAL_ADMIN: _NATIONAL,
}
