"""On Postgres, the database itself keeps Professional Standards out of reading roles.

`User.save` and `Membership.save` already refuse it, but `QuerySet.update`, `bulk_create` and
two concurrent saves (flagging a user while someone grants them a role) bypass model code. These
triggers close those paths. The role list is frozen here as it stood when written; a later
change to people.models.CASE_READING_ROLES needs a new migration.
"""

from django.db import migrations

ROLES = (
    "'triage', 'triage_supervisor', 'champion', 'platform_admin', "
    "'force_lead', 'oversight', 'national_analyst'"
)

CREATE = f"""
CREATE OR REPLACE FUNCTION people_membership_refuse_psd() RETURNS trigger AS $$
BEGIN
    IF NEW.role IN ({ROLES}) AND EXISTS (
        SELECT 1 FROM people_user WHERE id = NEW.user_id AND professional_standards
        FOR SHARE
    ) THEN
        RAISE EXCEPTION 'Professional Standards cannot hold the role %', NEW.role
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER people_membership_professional_standards
    BEFORE INSERT OR UPDATE ON people_membership
    FOR EACH ROW EXECUTE FUNCTION people_membership_refuse_psd();

CREATE OR REPLACE FUNCTION people_user_refuse_psd() RETURNS trigger AS $$
BEGIN
    IF NEW.professional_standards AND (NEW.is_superuser OR EXISTS (
        SELECT 1 FROM people_membership WHERE user_id = NEW.id AND role IN ({ROLES})
    )) THEN
        RAISE EXCEPTION 'Professional Standards cannot hold a case-reading role'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER people_user_professional_standards
    BEFORE INSERT OR UPDATE OF professional_standards, is_superuser ON people_user
    FOR EACH ROW EXECUTE FUNCTION people_user_refuse_psd();
"""

DROP = """
DROP TRIGGER IF EXISTS people_membership_professional_standards ON people_membership;
DROP FUNCTION IF EXISTS people_membership_refuse_psd();
DROP TRIGGER IF EXISTS people_user_professional_standards ON people_user;
DROP FUNCTION IF EXISTS people_user_refuse_psd();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_load_forces")]

    operations = [migrations.RunPython(create, drop)]
