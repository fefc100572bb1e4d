"""The roles people hold in BoneCare: each a group with named permissions.

The migration options/0007_roles creates the groups on `migrate`, and later migrations named
for a change of permissions sync them again (0010, 0011, 0012, 0014); every permission
check names a role from here, never a group's name.

No role holds a permission on a patient record (a consultation, its decisions, an audit row
naming a patient): the admin honours a model permission for every row, whoever made it, and a
user holding two roles is admin staff. The consultation pages check the clinician role and
the ownership of each record instead (options/web/views/access.py).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

# Imported for the hints alone: bonecare/settings.py reads this module (through
# options.identity.config) before Django's apps, and so the auth models, are ready.
if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser, Group, Permission

# Guidance editors add, change and view the guidance models, and remove a draft's rules.
# Published and retired rulesets never change, whatever the permission: the admin and
# guidance.services refuse it. They read the governance audit, as the safety officer does:
# its admin is read-only for everyone (guidance.console.admin.GovernanceEventAdmin).
# The FHIR code lists that map an EHR's codes onto the assessment are guidance too, versioned
# with each ruleset (a hospital adds its local codes in a draft); entries are deactivated,
# never deleted.
EDITOR_MODELS = ("guidancedocument", "ruleset", "rule", "scenario", "codelistentry")
EDITOR_ACTIONS = ("add", "change", "view")


@dataclass(frozen=True)
class Role:
    """One role: its name on the command line, its group, its permissions, admin access."""

    key: str
    group: str
    permissions: tuple[str, ...]  # "app_label.codename"
    is_staff: bool


# A clinician needs no model permission: the pages ask for the role, then show only the
# clinician's own consultations, decisions and prints.
CLINICIAN = Role(
    key="clinician",
    group="Clinician",
    permissions=(),
    is_staff=False,
)
EDITOR = Role(
    key="editor",
    group="Guidance editor",
    permissions=tuple(f"guidance.{action}_{model}" for model in EDITOR_MODELS
                      for action in EDITOR_ACTIONS)
    + ("guidance.delete_rule", "guidance.view_governanceevent"),
    is_staff=True,
)
# The clinical safety officer reads the governance (guidance documents, rulesets with their
# reviews and publications, rules, scenarios, and the governance audit) and is the second
# person every ruleset needs before it reaches clinicians: approving or returning a submitted
# draft, and following up an emergency rollback. Never the draft's own author, and never a
# writer outside those review actions: no add, change or delete.
SAFETY_OFFICER = Role(
    key="safety_officer",
    group="Clinical safety officer",
    permissions=tuple(f"guidance.view_{model}" for model in (*EDITOR_MODELS, "governanceevent"))
    + ("guidance.review_ruleset",),
    is_staff=True,
)
ROLES = {role.key: role for role in (CLINICIAN, EDITOR, SAFETY_OFFICER)}
# The page each role works from (a URL name) and what it is called, first role held first:
# where sign-in lands, and where an error page sends the person next.
HOMES = (
    (CLINICIAN, "consultation-list", "your consultations"),
    (EDITOR, "admin:guidance_ruleset_changelist", "the rules console"),
    (SAFETY_OFFICER, "admin:guidance_ruleset_changelist", "the rules console"),
)


def role_held(user: "AbstractBaseUser | AnonymousUser", role: Role) -> bool:
    """Tell whether the user belongs to the role's group."""
    return user.is_authenticated and user.groups.filter(name=role.group).exists()


def home_of(user: "AbstractBaseUser | AnonymousUser") -> tuple[str, str] | None:
    """Return (URL name, words) of the page the user's role works from; None without a role."""
    return next(((url_name, words) for role, url_name, words in HOMES if role_held(user, role)),
                None)


def roles_sync(*, group_model: "type[Group]", permission_model: "type[Permission]",
               keys: Iterable[str] | None = None, apps: Collection[str] | None = None) -> None:
    """Create each role's group (or those named by `keys`) with exactly its permissions.

    Takes the models as arguments so that a migration can pass its historical ones, the keys
    so that a migration syncs only the roles whose permissions exist at that point, and
    `apps` (app labels) so that it grants only the permissions of the apps migrated by then;
    a later migration of a later app grants the rest. With `apps`, a permission of a model
    not yet created is left for that later migration; without, every one must exist.
    """
    for role in (ROLES[key] for key in (keys or ROLES)):
        group, _ = group_model.objects.get_or_create(name=role.group)
        group.permissions.set(_permissions(permission_model, role, apps))


def _permissions(permission_model: "type[Permission]", role: Role,
                 apps: Collection[str] | None = None) -> "list[Permission]":
    wanted = {tuple(name.split(".", 1)) for name in role.permissions}
    if apps is not None:
        wanted = {(app, codename) for app, codename in wanted if app in apps}
    found = list(permission_model.objects.filter(
        content_type__app_label__in={app for app, _ in wanted},
        codename__in={codename for _, codename in wanted}))
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing and apps is None:
        names = ", ".join(sorted(".".join(pair) for pair in missing))
        raise LookupError(f"role {role.key!r} names permissions that do not exist: {names}")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]
