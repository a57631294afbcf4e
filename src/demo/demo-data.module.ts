import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DemoDataSeeder } from './demo-data.seeder';

/** Demo shoes for an empty development database (DEMO_DATA); see DemoDataSeeder. */
@Module({
  imports: [CqrsModule],
  providers: [DemoDataSeeder],
})
export class DemoDataModule {}
