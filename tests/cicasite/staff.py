"""Staff accounts and admin forms for the editorial tests."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def staff(username, group):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "a-long-password-123")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def changeform_data(admin_client, url):
    """The change form as the browser would post it back: every field's current value, the edit token too."""
    response = admin_client.get(url)
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(field, "widget") and field.widget.__class__.__name__ == "SplitDateTimeWidget":
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
        else:
            data[name] = str(value)
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and value is not False:
                    data[inline_form.add_prefix(name)] = "on" if value is True else str(value)
    return data
