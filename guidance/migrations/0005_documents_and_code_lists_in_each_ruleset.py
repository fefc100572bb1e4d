"""Each ruleset holds its own guidance documents and FHIR code lists (schema; the rows are
copied by 0006 and the link made required by 0007). Also: the content digests that let
approval and publication check that what reaches clinicians is exactly what was reviewed, and
the review's document and code-list diffs.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0004_expectations_of_existing_rulesets'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CodeListEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code_list', models.CharField(choices=[('cancer_type', 'Condition: primary cancer (value: cancer type)'), ('bone_metastases', 'Condition: malignant disease in bone'), ('prostate_hormone_status', 'Condition: prostate hormone status'), ('myeloma_needs_treatment', 'Condition: myeloma needing treatment'), ('mscc_signs', 'Condition: spinal cord compression'), ('coagulation_disorder', 'Condition: coagulation disorder (context)'), ('creatinine_clearance', 'Observation: creatinine clearance, mL/min'), ('egfr', 'Observation: eGFR (context, never a clearance)'), ('serum_creatinine', 'Observation: serum creatinine'), ('weight', 'Observation: body weight'), ('corrected_calcium', 'Observation: corrected calcium'), ('plain_calcium', 'Observation: calcium, not corrected (context)'), ('pregnancy_status', 'Observation: pregnancy status (the question)'), ('pregnancy_value', 'Observation value: pregnancy status answer'), ('cement_allergy', 'AllergyIntolerance: bone cement or contrast'), ('radiotherapy', 'Procedure: radiotherapy (context)'), ('analgesic', 'Medication: analgesic (context)'), ('bone_drug', 'Medication: bone-strengthening drug (value: option)'), ('procedure_order', 'ServiceRequest: bone procedure (value: option)')], max_length=40)),
                ('system', models.CharField(choices=[('http://snomed.info/sct', 'Http://snomed.info/sct'), ('http://hl7.org/fhir/sid/icd-10', 'Http://hl7.org/fhir/sid/icd-10'), ('http://loinc.org', 'Http://loinc.org'), ('http://www.whocc.no/atc', 'Http://www.whocc.no/atc'), ('https://dmd.nhs.uk', 'Https://dmd.nhs.uk'), ('https://fhir.nhs.uk/Id/opcs-4', 'Https://fhir.nhs.uk/id/opcs-4')], max_length=100)),
                ('code', models.CharField(help_text='For ICD-10 and ATC a code also matches every code it begins (C50 matches C50.9).', max_length=64)),
                ('value', models.CharField(blank=True, help_text='What the code means in this list (see its help).', max_length=40)),
                ('display', models.CharField(blank=True, max_length=200)),
                ('evidence', models.CharField(blank=True, help_text='Where the code was seen (HL7, NHS, NICE, local).', max_length=200)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'verbose_name': 'FHIR code',
                'verbose_name_plural': 'FHIR code lists',
                'ordering': ['code_list', 'system', 'code'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalCodeListEntry',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code_list', models.CharField(choices=[('cancer_type', 'Condition: primary cancer (value: cancer type)'), ('bone_metastases', 'Condition: malignant disease in bone'), ('prostate_hormone_status', 'Condition: prostate hormone status'), ('myeloma_needs_treatment', 'Condition: myeloma needing treatment'), ('mscc_signs', 'Condition: spinal cord compression'), ('coagulation_disorder', 'Condition: coagulation disorder (context)'), ('creatinine_clearance', 'Observation: creatinine clearance, mL/min'), ('egfr', 'Observation: eGFR (context, never a clearance)'), ('serum_creatinine', 'Observation: serum creatinine'), ('weight', 'Observation: body weight'), ('corrected_calcium', 'Observation: corrected calcium'), ('plain_calcium', 'Observation: calcium, not corrected (context)'), ('pregnancy_status', 'Observation: pregnancy status (the question)'), ('pregnancy_value', 'Observation value: pregnancy status answer'), ('cement_allergy', 'AllergyIntolerance: bone cement or contrast'), ('radiotherapy', 'Procedure: radiotherapy (context)'), ('analgesic', 'Medication: analgesic (context)'), ('bone_drug', 'Medication: bone-strengthening drug (value: option)'), ('procedure_order', 'ServiceRequest: bone procedure (value: option)')], max_length=40)),
                ('system', models.CharField(choices=[('http://snomed.info/sct', 'Http://snomed.info/sct'), ('http://hl7.org/fhir/sid/icd-10', 'Http://hl7.org/fhir/sid/icd-10'), ('http://loinc.org', 'Http://loinc.org'), ('http://www.whocc.no/atc', 'Http://www.whocc.no/atc'), ('https://dmd.nhs.uk', 'Https://dmd.nhs.uk'), ('https://fhir.nhs.uk/Id/opcs-4', 'Https://fhir.nhs.uk/id/opcs-4')], max_length=100)),
                ('code', models.CharField(help_text='For ICD-10 and ATC a code also matches every code it begins (C50 matches C50.9).', max_length=64)),
                ('value', models.CharField(blank=True, help_text='What the code means in this list (see its help).', max_length=40)),
                ('display', models.CharField(blank=True, max_length=200)),
                ('evidence', models.CharField(blank=True, help_text='Where the code was seen (HL7, NHS, NICE, local).', max_length=200)),
                ('active', models.BooleanField(default=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical FHIR code',
                'verbose_name_plural': 'historical FHIR code lists',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='guidancedocument',
            name='ruleset',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='guidance.ruleset'),
        ),
        migrations.AddField(
            model_name='historicalguidancedocument',
            name='ruleset',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='guidance.ruleset'),
        ),
        migrations.AddField(
            model_name='historicalruleset',
            name='content_digest',
            field=models.CharField(blank=True, editable=False, help_text='SHA-256 of the rules, documents, code lists and expectations, stamped when first published: the version names this content and no other.', max_length=64),
        ),
        migrations.AddField(
            model_name='publication',
            name='content_digest',
            field=models.CharField(blank=True, help_text='SHA-256 of the content put live.', max_length=64),
        ),
        migrations.AddField(
            model_name='review',
            name='code_lists_diff',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='review',
            name='content_digest',
            field=models.CharField(blank=True, help_text="SHA-256 of what was submitted (guidance.content): approving and publishing are refused if the draft's content is no longer this.", max_length=64),
        ),
        migrations.AddField(
            model_name='review',
            name='documents_diff',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='ruleset',
            name='content_digest',
            field=models.CharField(blank=True, editable=False, help_text='SHA-256 of the rules, documents, code lists and expectations, stamped when first published: the version names this content and no other.', max_length=64),
        ),
        migrations.AlterField(
            model_name='guidancedocument',
            name='code',
            field=models.CharField(help_text='For example "TA265".', max_length=20),
        ),
        migrations.AlterField(
            model_name='historicalguidancedocument',
            name='code',
            field=models.CharField(help_text='For example "TA265".', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='guidancedocument',
            constraint=models.UniqueConstraint(fields=('ruleset', 'code'), name='unique_document_code'),
        ),
        migrations.AddField(
            model_name='codelistentry',
            name='ruleset',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='code_entries', to='guidance.ruleset'),
        ),
        migrations.AddField(
            model_name='historicalcodelistentry',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcodelistentry',
            name='ruleset',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='guidance.ruleset'),
        ),
        migrations.AddConstraint(
            model_name='codelistentry',
            constraint=models.UniqueConstraint(fields=('ruleset', 'code_list', 'system', 'code'), name='unique_code_in_ruleset_list'),
        ),
    ]
