"""Reminders move here from reports: the four models enter this app's state with the
tables they have had since reports' 0005 (db_table), so no row moves and nothing is
created in the database; reports.0012 then removes them from reports' state. Their
content types (and so their permissions and admin log entries) follow them."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("reminderrule", "holiday", "lagepisode", "outboxmessage")


def _relabel(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A database migrated fresh has none yet (post_migrate creates them afterwards).
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_to_reminders(apps, schema_editor):
    _relabel(apps, "reports", "reminders")


def content_types_to_reports(apps, schema_editor):
    _relabel(apps, "reminders", "reports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ktgs", "0005_organization_grassroots_form_constraints"),
        # The tables: created by reports.0005 and changed up to 0011.
        ("reports", "0011_figures_per_body_and_kind_of_unit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Holiday',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(unique=True, verbose_name='ngày')),
                        ('name', models.CharField(max_length=128, verbose_name='tên ngày nghỉ')),
                    ],
                    options={
                        'verbose_name': 'ngày nghỉ lễ',
                        'verbose_name_plural': 'ngày nghỉ lễ',
                        'db_table': 'reports_holiday',
                        'ordering': ['day'],
                    },
                ),
                migrations.CreateModel(
                    name='ReminderRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=128, verbose_name='tên quy tắc')),
                        ('kind', models.CharField(choices=[('lag', 'Đơn vị chậm tiến độ'), ('target_due', 'Chỉ tiêu sắp đến hạn'), ('case_overdue', 'Cuộc kiểm tra, giám sát quá thời gian làm việc'), ('digest', 'Thư tổng hợp hằng tuần cho lãnh đạo'), ('no_programme', 'Đơn vị chưa có chương trình kiểm tra, giám sát')], max_length=16, verbose_name='loại nhắc việc')),
                        ('is_active', models.BooleanField(default=True, verbose_name='đang áp dụng')),
                        ('levels', models.JSONField(blank=True, default=list, help_text='Danh sách mã cấp, ví dụ ["grassroots", "cell"]; để trống: mọi cấp.', verbose_name='cấp áp dụng')),
                        ('tolerance_cases', models.DecimalField(decimal_places=2, default=0, help_text='Đơn vị bị coi là chậm khi số cuộc chậm so với tiến độ vượt quá dung sai này (cộng với dung sai theo điểm phần trăm).', max_digits=6, validators=[django.core.validators.MinValueValidator(0)], verbose_name='dung sai (số cuộc)')),
                        ('tolerance_points', models.DecimalField(decimal_places=2, default=0, max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='dung sai (điểm phần trăm)')),
                        ('first_after_days', models.PositiveSmallIntegerField(default=0, help_text='Số ngày kể từ khi đơn vị bắt đầu chậm đến lần nhắc đầu tiên.', verbose_name='nhắc lần đầu sau (ngày)')),
                        ('repeat_every_days', models.PositiveSmallIntegerField(default=7, help_text='0: không nhắc lại.', verbose_name='nhắc lại mỗi (ngày)')),
                        ('escalate_after_days', models.PositiveSmallIntegerField(default=14, help_text='Số ngày sau lần nhắc đầu mà đơn vị vẫn chậm thì báo lãnh đạo cấp trên; sau chừng ấy ngày nữa báo thêm một cấp. 0: không báo lên.', verbose_name='báo lên cấp trên sau (ngày)')),
                        ('escalation_levels', models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MaxValueValidator(5)], verbose_name='số cấp báo lên')),
                        ('days_before', models.JSONField(blank=True, default=list, help_text='Cho loại chỉ tiêu sắp đến hạn, ví dụ [14, 3].', verbose_name='nhắc trước hạn (ngày)')),
                        ('weekday', models.PositiveSmallIntegerField(default=0, help_text='0 = thứ Hai … 6 = Chủ nhật.', validators=[django.core.validators.MaxValueValidator(6)], verbose_name='ngày gửi thư tổng hợp')),
                        ('skip_weekends', models.BooleanField(default=True, verbose_name='không gửi thứ Bảy, Chủ nhật')),
                        ('skip_holidays', models.BooleanField(default=True, verbose_name='không gửi ngày nghỉ lễ')),
                    ],
                    options={
                        'verbose_name': 'quy tắc nhắc việc',
                        'verbose_name_plural': 'quy tắc nhắc việc',
                        'db_table': 'reports_reminderrule',
                        'ordering': ['kind', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(max_length=64, verbose_name='đợt')),
                        ('step', models.CharField(max_length=16, verbose_name='bước')),
                        ('kind', models.CharField(choices=[('lag', 'Nhắc đơn vị chậm tiến độ'), ('lag_escalation', 'Báo cấp trên: đơn vị chậm tiến độ'), ('target_due', 'Nhắc chỉ tiêu sắp đến hạn'), ('case_overdue', 'Nhắc cuộc quá thời gian làm việc'), ('digest', 'Thư tổng hợp hằng tuần'), ('no_programme', 'Nhắc đơn vị chưa có chương trình')], max_length=16, verbose_name='loại thư')),
                        ('email', models.EmailField(max_length=254, verbose_name='địa chỉ thư')),
                        ('language', models.CharField(default='vi', max_length=8, verbose_name='ngôn ngữ')),
                        ('context', models.JSONField(blank=True, default=dict)),
                        ('message_id', models.CharField(max_length=128, verbose_name='Message-ID')),
                        ('status', models.CharField(choices=[('pending', 'Chờ gửi'), ('sending', 'Đang gửi'), ('sent', 'Đã gửi'), ('failed', 'Gửi không thành công'), ('cancelled', 'Đã hủy (đơn vị hết chậm)')], default='pending', max_length=10, verbose_name='trạng thái')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='số lần thử')),
                        ('last_error', models.TextField(blank=True, verbose_name='lỗi gần nhất')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='tạo lúc')),
                        ('enqueued_at', models.DateTimeField(blank=True, null=True, verbose_name='đưa vào hàng đợi lúc')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='nhận gửi lúc')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='gửi lúc')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outbox_messages', to='ktgs.organization', verbose_name='đơn vị')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outbox_messages', to=settings.AUTH_USER_MODEL, verbose_name='người nhận')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='reminders.reminderrule', verbose_name='quy tắc')),
                    ],
                    options={
                        'verbose_name': 'thư nhắc việc',
                        'verbose_name_plural': 'thư nhắc việc',
                        'db_table': 'reports_outboxmessage',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['status', 'enqueued_at'], name='outbox_status_idx'), models.Index(fields=['organization', '-created_at'], name='outbox_org_idx')],
                        'constraints': [models.UniqueConstraint(fields=('rule', 'organization', 'period', 'step', 'recipient'), name='outbox_unique_key')],
                    },
                ),
                migrations.CreateModel(
                    name='LagEpisode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_on', models.DateField(verbose_name='bắt đầu chậm')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='hết chậm')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lag_episodes', to='ktgs.organization')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='episodes', to='reminders.reminderrule')),
                    ],
                    options={
                        'verbose_name': 'đợt chậm tiến độ',
                        'verbose_name_plural': 'đợt chậm tiến độ',
                        'db_table': 'reports_lagepisode',
                        'constraints': [models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('rule', 'organization'), name='lag_episode_one_open'), models.UniqueConstraint(fields=('rule', 'organization', 'started_on'), name='lag_episode_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_reminders, content_types_to_reports),
    ]
