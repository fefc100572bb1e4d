"""The patient sheet's words for the two drugs promise no more than the evidence: both lower
the chance of a broken bone and other bone problems from the cancer (skeletal-related
events); a bisphosphonate can also ease bone pain. They no longer say that a drug
strengthens bones or stops cancer damaging them, and read in shorter sentences."""

from django.db import migrations

DESCRIPTIONS = {
    "bisphosphonate": (
        "Bisphosphonates are medicines that can lower the chance of a broken bone or other "
        "bone problems caused by the cancer. They can also ease bone pain. You have them as a "
        "drip into a vein, usually every 3 to 4 weeks (it takes about 15 minutes), or as "
        "tablets at home. Before you start, you need a blood test to check your kidneys and "
        "calcium. You also need to see your dentist."
    ),
    "denosumab": (
        "Denosumab is a medicine that can lower the chance of a broken bone or other bone "
        "problems caused by the cancer. You have it as an injection under the skin, usually "
        "in your tummy, upper arm or thigh, once every 4 weeks. You also take calcium and "
        "vitamin D tablets each day. Before you start, you need a blood test. You also need "
        "to see your dentist."
    ),
}


def promise_no_more(apps, schema_editor):
    TreatmentOption = apps.get_model("options", "TreatmentOption")
    for slug, text in DESCRIPTIONS.items():
        TreatmentOption.objects.filter(slug=slug).update(patient_description=text)


class Migration(migrations.Migration):
    dependencies = [("options", "0012_roles_hold_no_patient_records")]

    operations = [migrations.RunPython(promise_no_more, migrations.RunPython.noop)]
