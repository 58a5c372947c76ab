"""Create the Payments group with the payments permission (organizers and analysts lack it)."""

from django.db import migrations


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrations; this migration needs them now.
    app_config = apps.get_app_config("incentives")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Payments")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="incentives", codename="payments")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
