"""Create the five treatment options with the words clinicians and patients see."""

from django.db import migrations

TREATMENT_OPTIONS = [
    {
        "slug": "bisphosphonate",
        "name": "Bisphosphonate",
        "display_order": 1,
        "summary": (
            "Bone-targeted therapy, intravenous or oral, to reduce skeletal-related events and "
            "bone pain; check renal function, calcium and dental health first."
        ),
        "patient_description": (
            "Bisphosphonates are medicines that help to strengthen bones and can reduce bone "
            "pain. They can also lower the chance of a broken bone caused by the cancer. You "
            "have them as a drip into a vein (usually every 3 to 4 weeks, taking about 15 "
            "minutes) or as tablets you take at home. Before you start, you will need a blood "
            "test to check your kidneys and calcium, and a check-up with your dentist."
        ),
    },
    {
        "slug": "denosumab",
        "name": "Denosumab",
        "display_order": 2,
        "summary": (
            "RANKL monoclonal antibody given subcutaneously every 4 weeks to prevent "
            "skeletal-related events from solid-tumour bone metastases (NICE TA265); needs "
            "calcium and vitamin D supplements and a dental check first."
        ),
        "patient_description": (
            "Denosumab is a targeted medicine that helps to stop cancer from damaging bones. "
            "It can lower the chance of a broken bone and reduce bone pain. You have it as an "
            "injection under the skin, usually in your tummy, upper arm or thigh, once every 4 "
            "weeks. You usually also take calcium and vitamin D tablets every day. Before you "
            "start, you will need a blood test and a check-up with your dentist."
        ),
    },
    {
        "slug": "cementoplasty",
        "name": "Cementoplasty",
        "display_order": 3,
        "summary": (
            "Percutaneous injection of bone cement into a painful non-spinal bone lesion, such as "
            "pelvis or acetabulum, under imaging guidance for pain relief and stability "
            "(NICE IPG179)."
        ),
        "patient_description": (
            "Cementoplasty is a treatment for a painful bone damaged by cancer. A doctor called "
            "an interventional radiologist uses x-rays or a scan to guide a needle into the "
            "painful bone, then injects a special bone cement through the needle. The cement "
            "sets hard within minutes, which can strengthen the bone and ease pain. You have "
            "medicine to make you drowsy (sedation) or a general anaesthetic so you are asleep, "
            "and you may be able to go home the same day or the next day."
        ),
    },
    {
        "slug": "vertebroplasty",
        "name": "Vertebroplasty",
        "display_order": 4,
        "summary": (
            "Percutaneous injection of bone cement into a painful vertebral body affected by "
            "malignancy, under imaging guidance, for pain relief and stabilisation "
            "(NICE IPG12; CG75, now NG234)."
        ),
        "patient_description": (
            "Vertebroplasty is a treatment for a painful bone in the spine (a vertebra) damaged "
            "by cancer. A doctor uses x-rays or a scan to guide a needle through the skin of "
            "your back into the bone, then injects a special bone cement through the needle. "
            "The cement sets hard, which can make the spine more stable and ease pain. You have "
            "medicine to make you drowsy (sedation) or a general anaesthetic, and you lie on "
            "your front during the procedure."
        ),
    },
    {
        "slug": "kyphoplasty",
        "name": "Balloon kyphoplasty",
        "display_order": 5,
        "summary": (
            "Percutaneous balloon inflation within a collapsed vertebral body to restore height, "
            "followed by cement augmentation, for painful malignant vertebral compression "
            "fracture (NICE IPG166; CG75, now NG234)."
        ),
        "patient_description": (
            "Balloon kyphoplasty is a treatment for a bone in the spine (a vertebra) that has "
            "collapsed because of cancer. A doctor uses x-rays to guide a needle into the bone "
            "and puts a small balloon inside it. The balloon is gently blown up to lift the "
            "collapsed bone back towards its normal height. The balloon is then taken out and "
            "the space is filled with bone cement, which sets hard. This can ease pain and make "
            "the spine more stable. You usually have a general anaesthetic so you are asleep."
        ),
    },
]


def create_treatment_options(apps, schema_editor):
    TreatmentOption = apps.get_model("options", "TreatmentOption")
    for fields in TREATMENT_OPTIONS:
        TreatmentOption.objects.update_or_create(slug=fields["slug"], defaults=fields)


def delete_treatment_options(apps, schema_editor):
    TreatmentOption = apps.get_model("options", "TreatmentOption")
    slugs = [fields["slug"] for fields in TREATMENT_OPTIONS]
    TreatmentOption.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("options", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_treatment_options, delete_treatment_options),
    ]
